/*
 * The one native piece of os-auth: libcrypt's crypt_rn(3) and crypt_checksalt(3), which know
 * every hash format the OS writes to /etc/shadow ($y$ yescrypt, $gy$, $7$, $6$, $5$, $1$,
 * $2b$, DES). Hashing runs on the libuv thread pool (yescrypt costs tens of milliseconds), so
 * the event loop never waits on it. Buffers in, string out: the password never becomes a JS
 * string here and is wiped from the work area before it is freed.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 4096

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *phrase;
  char *setting;
  struct crypt_data data;
  int ok;
  char result[CRYPT_OUTPUT_SIZE];
} crypt_job;

static char *copy_arg(napi_env env, napi_value v, const char *what) {
  bool is_buffer = false;
  void *bytes = NULL;
  size_t len = 0;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  napi_get_buffer_info(env, v, &bytes, &len);
  if (len > MAX_INPUT || memchr(bytes, 0, len) != NULL) {
    napi_throw_range_error(env, NULL, what);
    return NULL;
  }
  char *out = calloc(len + 1, 1);
  if (out != NULL && len > 0) memcpy(out, bytes, len);
  return out;
}

static void run_crypt(napi_env env, void *arg) {
  (void)env;
  crypt_job *job = arg;
  memset(&job->data, 0, sizeof job->data);
  char *r = crypt_rn(job->phrase, job->setting, &job->data, (int)sizeof job->data);
  /* a failing crypt_rn returns NULL or a string starting with '*' */
  if (r != NULL && r[0] != '*' && strlen(r) < sizeof job->result) {
    strcpy(job->result, r);
    job->ok = 1;
  }
  explicit_bzero(&job->data, sizeof job->data);
  explicit_bzero(job->phrase, strlen(job->phrase));
}

static void finish_crypt(napi_env env, napi_status status, void *arg) {
  crypt_job *job = arg;
  napi_value value;
  if (status == napi_ok && job->ok) {
    napi_create_string_utf8(env, job->result, NAPI_AUTO_LENGTH, &value);
  } else {
    napi_get_null(env, &value);
  }
  napi_resolve_deferred(env, job->deferred, value);
  napi_delete_async_work(env, job->work);
  free(job->phrase);
  free(job->setting);
  free(job);
}

/* crypt(phrase: Buffer, setting: Buffer): Promise<string | null> */
static napi_value js_crypt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "crypt(phrase, setting) takes two Buffers");
    return NULL;
  }
  char *phrase = copy_arg(env, argv[0], "phrase: a Buffer without NUL, at most 4096 bytes");
  if (phrase == NULL) return NULL;
  char *setting = copy_arg(env, argv[1], "setting: a Buffer without NUL, at most 4096 bytes");
  if (setting == NULL) {
    free(phrase);
    return NULL;
  }
  crypt_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    free(phrase);
    free(setting);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->phrase = phrase;
  job->setting = setting;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "os-auth:crypt", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, run_crypt, finish_crypt, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/* checkSalt(setting: string): 'ok' | 'legacy' | 'disabled' | 'invalid' */
static napi_value js_check_salt(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char buf[CRYPT_OUTPUT_SIZE];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const char *answer = "invalid";
  if (argc == 1 && napi_get_value_string_utf8(env, argv[0], buf, sizeof buf, &len) == napi_ok &&
      len < sizeof buf - 1) {
    switch (crypt_checksalt(buf)) {
      case CRYPT_SALT_OK: answer = "ok"; break;
      case CRYPT_SALT_METHOD_LEGACY: answer = "legacy"; break;
      case CRYPT_SALT_METHOD_DISABLED: answer = "disabled"; break;
      default: answer = "invalid"; break;
    }
  }
  napi_value out;
  napi_create_string_utf8(env, answer, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"crypt", NULL, js_crypt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"checkSalt", NULL, js_check_salt, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
