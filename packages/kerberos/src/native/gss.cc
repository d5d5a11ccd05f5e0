// A small binding to MIT GSS-API: what a SASL GSSAPI (and later SPNEGO) acceptor needs and the
// `kerberos` npm package lacks (wrap/unwrap). Acceptor credentials come from a keytab named per
// call through gss_acquire_cred_from's "keytab" cred store, so each domain uses its own keys
// without the process-wide KRB5_KTNAME.
#include <napi.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <string>
#include <vector>

namespace {

struct ContextBox {
  gss_ctx_id_t handle = GSS_C_NO_CONTEXT;
  ~ContextBox() {
    if (handle != GSS_C_NO_CONTEXT) {
      OM_uint32 minor;
      gss_delete_sec_context(&minor, &handle, GSS_C_NO_BUFFER);
    }
  }
};

void FinalizeBox(Napi::Env, ContextBox* box) { delete box; }

std::string StatusText(OM_uint32 code, int type) {
  std::string out;
  OM_uint32 minor, more = 0;
  do {
    gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
    if (GSS_ERROR(gss_display_status(&minor, code, type, GSS_C_NO_OID, &more, &buf))) break;
    if (!out.empty()) out += "; ";
    out.append(static_cast<const char*>(buf.value), buf.length);
    gss_release_buffer(&minor, &buf);
  } while (more != 0);
  return out;
}

std::string ErrorText(const char* what, OM_uint32 major, OM_uint32 minor) {
  std::string text = std::string(what) + ": " + StatusText(major, GSS_C_GSS_CODE);
  if (minor != 0) text += " (" + StatusText(minor, GSS_C_MECH_CODE) + ")";
  return text;
}

bool NameText(gss_name_t name, std::string* out) {
  OM_uint32 minor;
  gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
  if (GSS_ERROR(gss_display_name(&minor, name, &buf, nullptr))) return false;
  out->assign(static_cast<const char*>(buf.value), buf.length);
  gss_release_buffer(&minor, &buf);
  return true;
}

ContextBox* BoxOf(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  return v.As<Napi::External<ContextBox>>().Data();
}

// Accepting reads the keytab file and the replay cache: disk I/O, so it runs off the main thread.
class AcceptWorker : public Napi::AsyncWorker {
 public:
  AcceptWorker(Napi::Env env, std::string keytab, std::vector<uint8_t> token, ContextBox* box,
               Napi::Value boxValue)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        keytab_(std::move(keytab)),
        token_(std::move(token)),
        box_(box) {
    // keep a continued context alive while the worker uses it
    if (box_ != nullptr) boxRef_ = Napi::Persistent(boxValue.As<Napi::Object>());
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    OM_uint32 major, minor;
    gss_key_value_element_desc element = {"keytab", keytab_.c_str()};
    gss_key_value_set_desc store = {1, &element};
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT,
                                  &store, &cred, nullptr, nullptr);
    if (GSS_ERROR(major)) {
      SetError(ErrorText("acquiring acceptor credentials", major, minor));
      return;
    }
    if (box_ == nullptr) {
      owned_ = new ContextBox();
      box_ = owned_;
    }
    gss_buffer_desc input = {token_.size(), token_.data()};
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    gss_name_t source = GSS_C_NO_NAME;
    major = gss_accept_sec_context(&minor, &box_->handle, cred, &input, GSS_C_NO_CHANNEL_BINDINGS, &source,
                                   nullptr, &output, &flags_, nullptr, nullptr);
    OM_uint32 ignored;
    gss_release_cred(&ignored, &cred);
    if (output.length > 0) {
      const uint8_t* p = static_cast<const uint8_t*>(output.value);
      output_.assign(p, p + output.length);
    }
    gss_release_buffer(&ignored, &output);
    if (GSS_ERROR(major)) {
      if (source != GSS_C_NO_NAME) gss_release_name(&ignored, &source);
      SetError(ErrorText("accepting the security context", major, minor));
      return;
    }
    complete_ = (major & GSS_S_CONTINUE_NEEDED) == 0;
    if (complete_) {
      gss_name_t target = GSS_C_NO_NAME;
      major = gss_inquire_context(&minor, box_->handle, nullptr, &target, nullptr, nullptr, nullptr, nullptr,
                                  nullptr);
      if (GSS_ERROR(major) || !NameText(source, &client_) || !NameText(target, &target_)) {
        if (target != GSS_C_NO_NAME) gss_release_name(&ignored, &target);
        gss_release_name(&ignored, &source);
        SetError("reading the names of the security context");
        return;
      }
      gss_release_name(&ignored, &target);
    }
    if (source != GSS_C_NO_NAME) gss_release_name(&ignored, &source);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("complete", Napi::Boolean::New(env, complete_));
    result.Set("output", Napi::Buffer<uint8_t>::Copy(env, output_.data(), output_.size()));
    result.Set("flags", Napi::Number::New(env, flags_));
    if (complete_) {
      result.Set("clientName", Napi::String::New(env, client_));
      result.Set("targetName", Napi::String::New(env, target_));
    }
    if (owned_ != nullptr) {
      result.Set("context", Napi::External<ContextBox>::New(env, owned_, FinalizeBox));
      owned_ = nullptr;
    } else {
      result.Set("context", boxRef_.Value());
    }
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override {
    delete owned_;
    owned_ = nullptr;
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string keytab_;
  std::vector<uint8_t> token_;
  ContextBox* box_;
  ContextBox* owned_ = nullptr;
  Napi::ObjectReference boxRef_;
  std::vector<uint8_t> output_;
  OM_uint32 flags_ = 0;
  bool complete_ = false;
  std::string client_;
  std::string target_;
};

// The initiator side, with the default credentials cache (KRB5CCNAME): for tests of the acceptor
// and, later, for logging in to an upstream with GSSAPI. Getting a service ticket talks to the
// KDC, so it runs off the main thread.
class InitWorker : public Napi::AsyncWorker {
 public:
  InitWorker(Napi::Env env, std::string target, std::vector<uint8_t> token, ContextBox* box, Napi::Value boxValue)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        target_(std::move(target)),
        token_(std::move(token)),
        box_(box) {
    if (box_ != nullptr) boxRef_ = Napi::Persistent(boxValue.As<Napi::Object>());
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    OM_uint32 major, minor, ignored;
    gss_buffer_desc nameBuf = {target_.size(), const_cast<char*>(target_.data())};
    gss_name_t name = GSS_C_NO_NAME;
    major = gss_import_name(&minor, &nameBuf, GSS_KRB5_NT_PRINCIPAL_NAME, &name);
    if (GSS_ERROR(major)) {
      SetError(ErrorText("importing the target name", major, minor));
      return;
    }
    if (box_ == nullptr) {
      owned_ = new ContextBox();
      box_ = owned_;
    }
    gss_buffer_desc input = {token_.size(), token_.data()};
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &box_->handle, name, gss_mech_krb5,
                                 GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, token_.empty() ? GSS_C_NO_BUFFER : &input, nullptr,
                                 &output, nullptr, nullptr);
    gss_release_name(&ignored, &name);
    if (output.length > 0) {
      const uint8_t* p = static_cast<const uint8_t*>(output.value);
      output_.assign(p, p + output.length);
    }
    gss_release_buffer(&ignored, &output);
    if (GSS_ERROR(major)) {
      SetError(ErrorText("initiating the security context", major, minor));
      return;
    }
    complete_ = (major & GSS_S_CONTINUE_NEEDED) == 0;
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("complete", Napi::Boolean::New(env, complete_));
    result.Set("output", Napi::Buffer<uint8_t>::Copy(env, output_.data(), output_.size()));
    if (owned_ != nullptr) {
      result.Set("context", Napi::External<ContextBox>::New(env, owned_, FinalizeBox));
      owned_ = nullptr;
    } else {
      result.Set("context", boxRef_.Value());
    }
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override {
    delete owned_;
    owned_ = nullptr;
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string target_;
  std::vector<uint8_t> token_;
  ContextBox* box_;
  ContextBox* owned_ = nullptr;
  Napi::ObjectReference boxRef_;
  std::vector<uint8_t> output_;
  bool complete_ = false;
};

// initiate(targetPrincipal, token?, context?) -> Promise<{complete, output, context}>
Napi::Value Initiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "initiate(target: string, token?: Buffer, context?)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<uint8_t> bytes;
  if (info.Length() > 1 && info[1].IsBuffer()) {
    auto token = info[1].As<Napi::Buffer<uint8_t>>();
    bytes.assign(token.Data(), token.Data() + token.Length());
  }
  ContextBox* box = nullptr;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    box = BoxOf(info[2]);
    if (box == nullptr) {
      Napi::TypeError::New(env, "context must come from initiate()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  auto* worker = new InitWorker(env, info[0].As<Napi::String>().Utf8Value(), std::move(bytes), box,
                                box != nullptr ? info[2] : env.Undefined());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// accept(keytabPath, token, context?) -> Promise<{complete, output, flags, context, clientName?, targetName?}>
Napi::Value Accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "accept(keytabPath: string, token: Buffer, context?)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ContextBox* box = nullptr;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    box = BoxOf(info[2]);
    if (box == nullptr) {
      Napi::TypeError::New(env, "context must come from accept()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  auto token = info[1].As<Napi::Buffer<uint8_t>>();
  std::vector<uint8_t> bytes(token.Data(), token.Data() + token.Length());
  auto* worker = new AcceptWorker(env, info[0].As<Napi::String>().Utf8Value(), std::move(bytes), box,
                                  box != nullptr ? info[2] : env.Undefined());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// wrap and unwrap are in-memory crypto over a few bytes (the SASL security-layer messages):
// microseconds, so they stay synchronous.
Napi::Value Wrap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ContextBox* box = info.Length() > 1 ? BoxOf(info[0]) : nullptr;
  if (box == nullptr || box->handle == GSS_C_NO_CONTEXT || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "wrap(context, data: Buffer, confidential?: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool conf = info.Length() > 2 && info[2].ToBoolean().Value();
  auto data = info[1].As<Napi::Buffer<uint8_t>>();
  gss_buffer_desc input = {data.Length(), data.Data()};
  gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
  OM_uint32 minor;
  OM_uint32 major = gss_wrap(&minor, box->handle, conf ? 1 : 0, GSS_C_QOP_DEFAULT, &input, nullptr, &output);
  if (GSS_ERROR(major)) {
    Napi::Error::New(env, ErrorText("wrap", major, minor)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto result = Napi::Buffer<uint8_t>::Copy(env, static_cast<uint8_t*>(output.value), output.length);
  gss_release_buffer(&minor, &output);
  return result;
}

Napi::Value Unwrap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ContextBox* box = info.Length() > 1 ? BoxOf(info[0]) : nullptr;
  if (box == nullptr || box->handle == GSS_C_NO_CONTEXT || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "unwrap(context, data: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto data = info[1].As<Napi::Buffer<uint8_t>>();
  gss_buffer_desc input = {data.Length(), data.Data()};
  gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
  int conf = 0;
  OM_uint32 minor;
  OM_uint32 major = gss_unwrap(&minor, box->handle, &input, &output, &conf, nullptr);
  if (GSS_ERROR(major)) {
    Napi::Error::New(env, ErrorText("unwrap", major, minor)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", Napi::Buffer<uint8_t>::Copy(env, static_cast<uint8_t*>(output.value), output.length));
  result.Set("confidential", Napi::Boolean::New(env, conf != 0));
  gss_release_buffer(&minor, &output);
  return result;
}

// Frees the context now rather than at garbage collection.
Napi::Value Release(const Napi::CallbackInfo& info) {
  ContextBox* box = info.Length() > 0 ? BoxOf(info[0]) : nullptr;
  if (box != nullptr && box->handle != GSS_C_NO_CONTEXT) {
    OM_uint32 minor;
    gss_delete_sec_context(&minor, &box->handle, GSS_C_NO_BUFFER);
    box->handle = GSS_C_NO_CONTEXT;
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("initiate", Napi::Function::New(env, Initiate));
  exports.Set("wrap", Napi::Function::New(env, Wrap));
  exports.Set("unwrap", Napi::Function::New(env, Unwrap));
  exports.Set("release", Napi::Function::New(env, Release));
  return exports;
}

}  // namespace

NODE_API_MODULE(portcullis_gss, Init)
