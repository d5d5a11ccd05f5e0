// Zero-copy relay of two plain TCP sockets with splice(2): socket -> pipe -> socket inside the
// kernel, no copy through user space (what HAProxy does). Node has no splice, hence this addon.
//
// One relay thread, started on first use, runs an epoll loop over every spliced session; a
// session's promise is resolved on its JS thread through a ThreadSafeFunction. (An AsyncWorker
// would hold one of libuv's 4 pool threads per session for its whole life and starve the pool,
// which also serves DNS, fs and crypto, after 4 sessions.)
//
// The file descriptors belong to libuv: this code works on dup()s of them, and closes only its
// dups. Had it used libuv's numbers, a socket destroyed from JS while the relay runs (gateway
// shutdown) would free its number for the next accept(), and this thread would splice into a
// stranger's connection. JS stops libuv's reads before handing the sockets over, cancels the
// session when one of them is destroyed, and destroys both once the promise resolves.
#include <napi.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// the same names as relay-session.ts's RelayEndReason
enum Reason { kNone, kClientClosed, kUpstreamClosed, kIdle, kTotal, kError };
const char* reasonName(Reason r) {
  switch (r) {
    case kClientClosed: return "client-closed";
    case kUpstreamClosed: return "upstream-closed";
    case kIdle: return "idle-timeout";
    case kTotal: return "total-timeout";
    default: return "error";
  }
}

// a pipe of this size moves a 10 MB FETCH in ~40 splice pairs instead of ~160 (the default 64 KiB);
// F_SETPIPE_SZ may refuse (pipe-user-pages-soft reached): the default size works too
constexpr int kPipeSize = 256 * 1024;
// A direction holds a pipe only while bytes move: an idle session (IMAP IDLE waits 29 minutes)
// holds none. Pipe pages count against the user's pipe-user-pages-soft (64 MiB by default), past
// which new pipes get 2 pages; thousands of idle sessions each holding two pipes would get there.
// Emptied pipes wait in this pool (relay thread only) for the next burst instead of being closed.
constexpr size_t kPoolMax = 64;
struct PooledPipe {
  int fds[2];
  size_t cap;
};
std::vector<PooledPipe> pipePool;

struct Direction {
  int src = -1;
  int dst = -1;
  int pipe[2] = {-1, -1};
  size_t pipeCap = 65536;
  size_t inPipe = 0;
  bool eof = false;      // src has sent FIN
  bool done = false;     // eof and everything forwarded, dst shut down for writing
  bool waitIn = false;   // blocked: src has nothing to read
  bool waitOut = false;  // blocked: dst's send buffer is full
  double bytes = 0;      // read from src
};

struct Session;
struct Result {
  Napi::Promise::Deferred* deferred;
  Reason reason;
  double bytesUp;
  double bytesDown;
  int err;
};

using Tsfn = Napi::ThreadSafeFunction;

struct FdRef {
  Session* session;
  bool isClient;
};

struct Session {
  uint64_t id;
  int client;
  int upstream;
  Direction up;    // client -> upstream
  Direction down;  // upstream -> client
  int64_t idleMs;
  int64_t totalMs;
  int64_t lingerMs;
  int64_t lastActive;
  int64_t started;
  int64_t lingerAt = 0;  // set when the first side ended
  Reason reason = kNone;
  int err = 0;
  FdRef clientRef;
  FdRef upstreamRef;
  uint32_t clientEvents = 0;  // what the fd is registered for; 0 = not registered
  uint32_t upstreamEvents = 0;
  Tsfn tsfn;
  Napi::Promise::Deferred* deferred;
  bool finished = false;
};

struct Relay {
  std::mutex mutex;
  std::vector<Session*> incoming;  // handed over by JS threads, picked up by the relay thread
  std::vector<uint64_t> cancelled;  // ids of sessions JS wants ended
  uint64_t nextId = 1;
  int epfd = -1;
  int wakeFd = -1;
  bool started = false;
};
Relay relay;

/** give the direction's pipe back: to the pool when empty, else closed with what it holds */
void releasePipe(Direction& d) {
  if (d.pipe[0] < 0) return;
  if (d.inPipe == 0 && pipePool.size() < kPoolMax) {
    pipePool.push_back(PooledPipe{{d.pipe[0], d.pipe[1]}, d.pipeCap});
  } else {
    close(d.pipe[0]);
    close(d.pipe[1]);
  }
  d.pipe[0] = d.pipe[1] = -1;
  d.inPipe = 0;
}

bool acquirePipe(Direction& d) {
  if (d.pipe[0] >= 0) return true;
  if (!pipePool.empty()) {
    PooledPipe p = pipePool.back();
    pipePool.pop_back();
    d.pipe[0] = p.fds[0];
    d.pipe[1] = p.fds[1];
    d.pipeCap = p.cap;
    return true;
  }
  if (pipe2(d.pipe, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  fcntl(d.pipe[1], F_SETPIPE_SZ, kPipeSize);
  int cap = fcntl(d.pipe[1], F_GETPIPE_SZ);
  d.pipeCap = cap > 0 ? static_cast<size_t>(cap) : 65536;
  return true;
}

/** on the session's JS thread: settle the promise, let the thread-safe function go */
void settle(Napi::Env env, Napi::Function, Result* result) {
  if (env != nullptr) {
    Napi::Object out = Napi::Object::New(env);
    out.Set("reason", reasonName(result->reason));
    out.Set("bytesUp", result->bytesUp);
    out.Set("bytesDown", result->bytesDown);
    out.Set("errno", result->err);
    result->deferred->Resolve(out);
  }
  delete result->deferred;
  delete result;
}

void setInterest(Session* s, int fd, FdRef* ref, uint32_t& current, uint32_t wanted) {
  // an fd nothing waits on is taken out of the set: a socket shut down both ways reports EPOLLHUP
  // for as long as it is registered, which would spin the loop while the other side drains
  if (wanted == current) return;
  epoll_event ev{};
  ev.events = wanted;
  ev.data.ptr = ref;
  if (wanted == 0) {
    epoll_ctl(relay.epfd, EPOLL_CTL_DEL, fd, nullptr);
  } else if (current == 0) {
    if (epoll_ctl(relay.epfd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) epoll_ctl(relay.epfd, EPOLL_CTL_MOD, fd, &ev);
  } else {
    epoll_ctl(relay.epfd, EPOLL_CTL_MOD, fd, &ev);
  }
  current = wanted;
  (void)s;
}

void finish(Session* s, Reason why) {
  if (s->finished) return;
  s->finished = true;
  if (s->reason == kNone) s->reason = why;
  setInterest(s, s->client, &s->clientRef, s->clientEvents, 0);
  setInterest(s, s->upstream, &s->upstreamRef, s->upstreamEvents, 0);
  releasePipe(s->up);
  releasePipe(s->down);
  close(s->client);
  close(s->upstream);
  auto* result = new Result{s->deferred, s->reason, s->up.bytes, s->down.bytes, s->err};
  if (s->tsfn.BlockingCall(result, settle) != napi_ok) {
    // the JS thread is gone (its environment shut down): nobody to tell
    delete result->deferred;
    delete result;
  }
  s->tsfn.Release();
}

/**
 * Move what can be moved in one direction without blocking. Returns false on an error (the
 * session ends with reason error).
 */
bool pump(Session* s, Direction& d, Reason eofReason, int64_t now) {
  d.waitIn = d.waitOut = false;
  while (!d.done) {
    if (d.inPipe > 0) {
      // no SPLICE_F_MORE here: like MSG_MORE it lets TCP hold back a partial segment, and the
      // last bytes of a reply must go out at once
      ssize_t n = splice(d.pipe[0], nullptr, d.dst, nullptr, d.inPipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.inPipe -= static_cast<size_t>(n);
        s->lastActive = now;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        d.waitOut = true;
        return true;
      }
      s->err = n < 0 ? errno : EPIPE;
      return false;
    }
    if (d.eof) {
      shutdown(d.dst, SHUT_WR);
      d.done = true;
      if (s->lingerAt == 0) s->lingerAt = now + s->lingerMs;
      if (s->reason == kNone) s->reason = eofReason;
      releasePipe(d);
      return true;
    }
    // the pipe is empty here, so EAGAIN can only mean the socket has nothing to read
    if (!acquirePipe(d)) {
      s->err = errno;
      return false;
    }
    ssize_t n = splice(d.src, nullptr, d.pipe[1], nullptr, d.pipeCap, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      d.inPipe = static_cast<size_t>(n);
      d.bytes += static_cast<double>(n);
      s->lastActive = now;
      continue;
    }
    if (n == 0) {
      d.eof = true;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      d.waitIn = true;
      releasePipe(d);
      return true;
    }
    s->err = errno;
    return false;
  }
  releasePipe(d);
  return true;
}

/** pump both directions, then wait for what blocks them; true while the session goes on */
bool step(Session* s, int64_t now) {
  if (!pump(s, s->up, kClientClosed, now) || !pump(s, s->down, kUpstreamClosed, now)) {
    finish(s, kError);
    return false;
  }
  if (s->up.done && s->down.done) {
    finish(s, kNone);
    return false;
  }
  uint32_t clientWants = (s->up.waitIn ? uint32_t{EPOLLIN} : 0u) | (s->down.waitOut ? uint32_t{EPOLLOUT} : 0u);
  uint32_t upstreamWants = (s->down.waitIn ? uint32_t{EPOLLIN} : 0u) | (s->up.waitOut ? uint32_t{EPOLLOUT} : 0u);
  setInterest(s, s->client, &s->clientRef, s->clientEvents, clientWants);
  setInterest(s, s->upstream, &s->upstreamRef, s->upstreamEvents, upstreamWants);
  return true;
}

/** the earliest moment a timeout of `s` can fire (INT64_MAX: none) */
int64_t deadlineOf(const Session* s) {
  int64_t at = INT64_MAX;
  if (s->idleMs > 0) at = std::min(at, s->lastActive + s->idleMs);
  if (s->totalMs > 0) at = std::min(at, s->started + s->totalMs);
  if (s->lingerAt > 0) at = std::min(at, s->lingerAt);
  return at;
}

void relayLoop() {
  std::vector<Session*> sessions;
  std::vector<Session*> endedThisRound;
  epoll_event events[256];
  int64_t nextCheck = INT64_MAX;
  for (;;) {
    int64_t now = nowMs();
    int timeout = nextCheck == INT64_MAX ? -1 : static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(nextCheck - now, 60000)));
    int n = epoll_wait(relay.epfd, events, 256, timeout);
    now = nowMs();
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == nullptr) {
        uint64_t count;
        ssize_t r = read(relay.wakeFd, &count, sizeof count);
        (void)r;
        std::vector<Session*> fresh;
        std::vector<uint64_t> cancelled;
        {
          std::lock_guard<std::mutex> lock(relay.mutex);
          fresh.swap(relay.incoming);
          cancelled.swap(relay.cancelled);
        }
        for (uint64_t id : cancelled) {
          for (Session* s : sessions) {
            if (s->id == id) finish(s, kError);
          }
          for (Session* s : fresh) {
            if (s->id == id) finish(s, kError);
          }
        }
        for (Session* s : fresh) {
          s->started = s->lastActive = now;
          sessions.push_back(s);
          if (!s->finished && step(s, now)) nextCheck = std::min(nextCheck, deadlineOf(s));
        }
        continue;
      }
      auto* ref = static_cast<FdRef*>(events[i].data.ptr);
      Session* s = ref->session;
      if (s->finished) continue;
      if (events[i].events & EPOLLERR) {
        int soErr = 0;
        socklen_t len = sizeof soErr;
        getsockopt(ref->isClient ? s->client : s->upstream, SOL_SOCKET, SO_ERROR, &soErr, &len);
        s->err = soErr;
        finish(s, kError);
        continue;
      }
      if (step(s, now)) nextCheck = std::min(nextCheck, deadlineOf(s));
    }
    if (now >= nextCheck) {
      nextCheck = INT64_MAX;
      for (Session* s : sessions) {
        if (s->finished) continue;
        if (s->totalMs > 0 && now >= s->started + s->totalMs) finish(s, kTotal);
        else if (s->idleMs > 0 && now >= s->lastActive + s->idleMs) finish(s, kIdle);
        else if (s->lingerAt > 0 && now >= s->lingerAt) finish(s, kNone);
        else nextCheck = std::min(nextCheck, deadlineOf(s));
      }
    }
    // sessions are freed here, after this round's events: a later event of the same round may
    // still point at one
    size_t kept = 0;
    for (Session* s : sessions) {
      if (s->finished) delete s;
      else sessions[kept++] = s;
    }
    sessions.resize(kept);
  }
}

bool startRelay() {
  if (relay.started) return true;
  relay.epfd = epoll_create1(EPOLL_CLOEXEC);
  relay.wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (relay.epfd < 0 || relay.wakeFd < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  if (epoll_ctl(relay.epfd, EPOLL_CTL_ADD, relay.wakeFd, &ev) != 0) return false;
  // detached: it lives as long as the process, blocked in epoll_wait when there is nothing to do
  std::thread(relayLoop).detach();
  relay.started = true;
  return true;
}

bool isStreamSocket(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

/** spliceRelay(clientFd, upstreamFd, idleTimeoutMs, totalTimeoutMs, lingerMs): { id, done: Promise<result> } */
Napi::Value SpliceRelay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsNumber()) {
    Napi::TypeError::New(env, "spliceRelay(clientFd, upstreamFd, idleTimeoutMs, totalTimeoutMs, lingerMs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int client = info[0].As<Napi::Number>().Int32Value();
  int upstream = info[1].As<Napi::Number>().Int32Value();
  if (client < 0 || upstream < 0 || client == upstream || !isStreamSocket(client) || !isStreamSocket(upstream)) {
    Napi::TypeError::New(env, "spliceRelay: two distinct stream sockets expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(relay.mutex);
  if (!startRelay()) {
    Napi::Error::New(env, "spliceRelay: cannot start the relay thread").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int clientDup = fcntl(client, F_DUPFD_CLOEXEC, 0);
  int upstreamDup = clientDup < 0 ? -1 : fcntl(upstream, F_DUPFD_CLOEXEC, 0);
  if (upstreamDup < 0) {
    if (clientDup >= 0) close(clientDup);
    Napi::Error::New(env, "spliceRelay: cannot dup the sockets").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  client = clientDup;
  upstream = upstreamDup;
  auto* s = new Session();
  s->id = relay.nextId++;
  s->client = client;
  s->upstream = upstream;
  s->up.src = s->down.dst = client;
  s->up.dst = s->down.src = upstream;
  s->idleMs = info[2].As<Napi::Number>().Int64Value();
  s->totalMs = info[3].As<Napi::Number>().Int64Value();
  s->lingerMs = info[4].As<Napi::Number>().Int64Value();
  s->clientRef = FdRef{s, true};
  s->upstreamRef = FdRef{s, false};
  s->deferred = new Napi::Promise::Deferred(env);
  Napi::Promise promise = s->deferred->Promise();
  // the function is never called (settle does the work); it only keeps the event loop alive while
  // the session runs, like the sockets would
  s->tsfn = Tsfn::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "portcullis-splice", 0, 1);
  relay.incoming.push_back(s);
  uint64_t one = 1;
  ssize_t w = write(relay.wakeFd, &one, sizeof one);
  (void)w;
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", static_cast<double>(s->id));
  out.Set("done", promise);
  return out;
}

/** spliceCancel(id): end that session now (reason error unless a side had ended); unknown ids are ignored */
Napi::Value SpliceCancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "spliceCancel(id)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(relay.mutex);
  if (!relay.started) return env.Undefined();
  relay.cancelled.push_back(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  uint64_t one = 1;
  ssize_t w = write(relay.wakeFd, &one, sizeof one);
  (void)w;
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spliceRelay", Napi::Function::New(env, SpliceRelay));
  exports.Set("spliceCancel", Napi::Function::New(env, SpliceCancel));
  return exports;
}

}  // namespace

NODE_API_MODULE(portcullis_splice, Init)
