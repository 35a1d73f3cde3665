// rvr_addon: the thin native layer between a recompiled guest library (native/include/rvr/abi.h)
// and the TypeScript runtime (src/runtime). It loads libraries, sets up guest memory, runs
// guests off the JS thread, copies results and memory, and handles system calls
// (syscalls.cc). Every failure is a JavaScript exception or a rejected promise.
//
// JS surface (typed in src/runtime/addon.ts):
//   abiVersion: number, guestStackSize: number
//   loadProgram(path: string): Program
//   createMachine(program: Program, input?: Uint8Array): Machine
//   Program  { path, xlen, memBits, mode, entry, initialSp, initialBrk, brkLimit, metadata,
//              segments }
//   Machine  { run(): Promise<RawResult>, readMemory(addr, len): Buffer,
//              writeMemory(addr, bytes): void, registers (get/set), pc (get/set),
//              running, disposed, dispose() }
#include <dlfcn.h>
#include <pthread.h>
#include <algorithm>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <napi.h>

#include "rvr/abi.h"
#include "syscalls.h"

namespace rvr {
namespace {

// Generated code nests host calls for guest calls, so guests get a deep native stack.
constexpr size_t kGuestStackSize = size_t{256} << 20;
// Nesting stops this far above the end of that stack: room for the deepest frame, the
// dispatcher and the system call handler.
constexpr size_t kGuestStackReserve = size_t{4} << 20;
// A library's run() that returns this many times in a row with the machine still running and
// nothing retired is broken: the run ends with an error instead of spinning.
constexpr uint32_t kMaxIdleReturns = 1000;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

std::string Hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string OneLine(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// A dlopen'ed guest library. Closed when the last Program or Machine using it is gone.
struct Library {
  std::string path;
  void *handle = nullptr;
  const rvr_program *desc = nullptr;

  Library() = default;
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;
  ~Library() {
    if (handle != nullptr) dlclose(handle);
  }
};

// One guest machine: arena, register state and host context. Shared between the Machine JS
// object and an in-flight run, so disposing a running machine frees it only after the run.
// A metering segment: `length` instructions from instret `start`, with what they retired.
struct Segment {
  uint64_t start = 0;
  uint64_t length = 0;
  uint64_t cost = 0;
  uint64_t class_counts[RVR_CLASS_COUNT] = {};
};

struct MachineCore {
  std::shared_ptr<Library> lib;
  rvr_state state{};
  HostContext host;
  // Segments: boundaries every segment_size instructions (0 = none); the guest loop stops
  // at each boundary, closes the segment and goes on. `open` holds the counters at its start.
  uint64_t segment_size = 0;
  Segment open;
  std::vector<Segment> segments;
  uint64_t run_limit = UINT64_MAX;  // this run's absolute instruction limit
  uint8_t *arena = nullptr;     // guest address 0
  uint8_t *map_base = nullptr;  // the mapping: generated code's counter pages, arena, guard page
  size_t map_len = 0;
  bool running = false;  // only touched on the JS thread

  MachineCore() = default;
  MachineCore(const MachineCore &) = delete;
  MachineCore &operator=(const MachineCore &) = delete;
  ~MachineCore() {
    if (map_base != nullptr) munmap(map_base, map_len);
  }
};

class Addon;

// Parses a guest address or size: a non-negative BigInt below 2^64, or a non-negative safe
// integer Number.
uint64_t ToU64(const Napi::Env &env, const Napi::Value &v, const char *what) {
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t r = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, std::string(what) + " must be in [0, 2^64)");
    return r;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
      throw Napi::RangeError::New(env, std::string(what) + " must be a non-negative integer");
    return static_cast<uint64_t>(d);
  }
  throw Napi::TypeError::New(env, std::string(what) + " must be a bigint or a number");
}

// Bytes of any TypedArray / Buffer / DataView.
std::pair<const uint8_t *, size_t> BytesOf(const Napi::Env &env, const Napi::Value &v,
                                           const char *what) {
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    const uint8_t *base = static_cast<const uint8_t *>(ta.ArrayBuffer().Data());
    return {base == nullptr ? nullptr : base + ta.ByteOffset(), ta.ByteLength()};
  }
  if (v.IsDataView()) {
    Napi::DataView dv = v.As<Napi::DataView>();
    const uint8_t *base = static_cast<const uint8_t *>(dv.ArrayBuffer().Data());
    return {base == nullptr ? nullptr : base + dv.ByteOffset(), dv.ByteLength()};
  }
  throw Napi::TypeError::New(env, std::string(what) + " must be a Uint8Array or Buffer");
}

// ---------------------------------------------------------------------------------------------
// Program

class ProgramWrap : public Napi::ObjectWrap<ProgramWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RvrProgram",
                       {
                           InstanceAccessor<&ProgramWrap::Path>("path"),
                           InstanceAccessor<&ProgramWrap::Xlen>("xlen"),
                           InstanceAccessor<&ProgramWrap::MemBits>("memBits"),
                           InstanceAccessor<&ProgramWrap::Mode>("mode"),
                           InstanceAccessor<&ProgramWrap::Entry>("entry"),
                           InstanceAccessor<&ProgramWrap::InitialSp>("initialSp"),
                           InstanceAccessor<&ProgramWrap::InitialBrk>("initialBrk"),
                           InstanceAccessor<&ProgramWrap::BrkLimit>("brkLimit"),
                           InstanceAccessor<&ProgramWrap::Metadata>("metadata"),
                           InstanceAccessor<&ProgramWrap::Segments>("segments"),
                       });
  }

  explicit ProgramWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<ProgramWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw Napi::TypeError::New(info.Env(), "Program objects are created by loadProgram()");
    lib_ = *info[0].As<Napi::External<std::shared_ptr<Library>>>().Data();
  }

  const std::shared_ptr<Library> &lib() const { return lib_; }

 private:
  const rvr_program &d() const { return *lib_->desc; }
  Napi::Value Path(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), lib_->path);
  }
  Napi::Value Xlen(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), d().xlen);
  }
  Napi::Value MemBits(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), d().mem_bits);
  }
  Napi::Value Mode(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), d().mode);
  }
  Napi::Value Entry(const Napi::CallbackInfo &info) {
    return Napi::BigInt::New(info.Env(), d().entry);
  }
  Napi::Value InitialSp(const Napi::CallbackInfo &info) {
    return Napi::BigInt::New(info.Env(), d().initial_sp);
  }
  Napi::Value InitialBrk(const Napi::CallbackInfo &info) {
    return Napi::BigInt::New(info.Env(), d().initial_brk);
  }
  Napi::Value BrkLimit(const Napi::CallbackInfo &info) {
    return Napi::BigInt::New(info.Env(), d().brk_limit);
  }
  Napi::Value Metadata(const Napi::CallbackInfo &info) {
    const char *m = d().metadata_json;
    return Napi::String::New(info.Env(), m == nullptr ? "{}" : m);
  }
  Napi::Value Segments(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Array arr = Napi::Array::New(env, d().nsegments);
    for (uint32_t i = 0; i < d().nsegments; i++) {
      const rvr_segment &seg = d().segments[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("vaddr", Napi::BigInt::New(env, seg.vaddr));
      o.Set("filesz", Napi::BigInt::New(env, seg.filesz));
      o.Set("memsz", Napi::BigInt::New(env, seg.memsz));
      o.Set("flags", Napi::Number::New(env, seg.flags));
      arr.Set(i, o);
    }
    return arr;
  }

  std::shared_ptr<Library> lib_;
};

// ---------------------------------------------------------------------------------------------
// Running a guest

void *GuestThread(void *arg) {
  MachineCore *core = static_cast<MachineCore *>(arg);
  const rvr_program *desc = core->lib->desc;
  // This frame is near the top of the thread's stack; generated code nests guest calls only
  // while its frames stay above the limit, so no guest can overflow the host stack.
  char probe;
  core->state.stack_limit = reinterpret_cast<uintptr_t>(&probe) - (kGuestStackSize - kGuestStackReserve);
  // The library's run() returns once status != RUNNING (abi.h); keep calling it otherwise.
  rvr_state &s = core->state;
  uint32_t idle_returns = 0;
  do {
    uint64_t boundary = UINT64_MAX;
    if (core->segment_size != 0) {
      boundary = core->open.start + core->segment_size;
      s.insn_limit = std::min(core->run_limit, boundary);
    }
    // pc is checked where it enters (setter, snapshot); checked again here so that no state
    // ever enters generated code at a value it reserves (its STOP sentinel is odd).
    if (s.pc >= core->host.mem_size || (s.pc & 1)) {
      core->host.error = "cannot continue at pc " + Hex(s.pc) + " (outside the arena or not 2-byte aligned)";
      break;
    }
    const uint64_t pc_before = s.pc, instret_before = s.instret;
    desc->run(&s);
    if (s.status == RVR_RUNNING) {
      // run() may return early while running (the host calls it again), but one that keeps
      // returning without retiring anything or moving on would spin here forever.
      if (s.pc == pc_before && s.instret == instret_before) {
        if (++idle_returns >= kMaxIdleReturns) {
          core->host.error = "guest library keeps returning without running anything (pc " + Hex(s.pc) + ")";
          break;
        }
      } else {
        idle_returns = 0;
      }
    }
    // Generated code does not count ALU instructions (abi.h): derive them while stopped.
    if (desc->mode != RVR_MODE_PURE) {
      uint64_t others = 0;
      for (int i = RVR_CLASS_ALU + 1; i < RVR_CLASS_COUNT; i++) others += s.class_counts[i];
      s.class_counts[RVR_CLASS_ALU] = s.instret - others;
    }
    if (s.status == RVR_SUSPENDED && s.instret == boundary) {
      Segment &seg = core->open;
      seg.length = core->segment_size;
      seg.cost = s.cost - seg.cost;
      for (int i = 0; i < RVR_CLASS_COUNT; i++) seg.class_counts[i] = s.class_counts[i] - seg.class_counts[i];
      core->segments.push_back(seg);
      seg = Segment{};
      seg.start = s.instret;
      seg.cost = s.cost;
      std::memcpy(seg.class_counts, s.class_counts, sizeof seg.class_counts);
      if (s.instret < core->run_limit) s.status = RVR_RUNNING;
    }
  } while (s.status == RVR_RUNNING && core->host.error.empty());
  return nullptr;
}

Napi::Object SegmentObject(Napi::Env env, const Segment &seg) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("start", Napi::BigInt::New(env, seg.start));
  o.Set("length", Napi::BigInt::New(env, seg.length));
  o.Set("cost", Napi::BigInt::New(env, seg.cost));
  Napi::Array classes = Napi::Array::New(env, RVR_CLASS_COUNT);
  for (uint32_t i = 0; i < RVR_CLASS_COUNT; i++) classes.Set(i, Napi::BigInt::New(env, seg.class_counts[i]));
  o.Set("classCounts", classes);
  return o;
}

Napi::Object ResultObject(Napi::Env env, MachineCore &core) {
  const rvr_state &s = core.state;
  Napi::Object r = Napi::Object::New(env);
  r.Set("status", Napi::Number::New(env, s.status));
  r.Set("exitCode", Napi::Number::New(env, s.exit_code));
  r.Set("trapCause", Napi::Number::New(env, s.trap_cause));
  r.Set("trapPc", Napi::BigInt::New(env, s.trap_pc));
  r.Set("trapValue", Napi::BigInt::New(env, s.trap_value));
  r.Set("pc", Napi::BigInt::New(env, s.pc));
  r.Set("instret", Napi::BigInt::New(env, s.instret));
  r.Set("cost", Napi::BigInt::New(env, s.cost));
  Napi::Array classes = Napi::Array::New(env, RVR_CLASS_COUNT);
  for (uint32_t i = 0; i < RVR_CLASS_COUNT; i++) classes.Set(i, Napi::BigInt::New(env, s.class_counts[i]));
  r.Set("classCounts", classes);
  if (core.segment_size != 0) {
    // Every segment so far: the closed ones, then the open one if anything retired in it.
    Napi::Array segs = Napi::Array::New(env);
    uint32_t n = 0;
    for (const Segment &seg : core.segments) segs.Set(n++, SegmentObject(env, seg));
    if (s.instret > core.open.start) {
      Segment cur = core.open;
      cur.length = s.instret - cur.start;
      cur.cost = s.cost - cur.cost;
      for (int i = 0; i < RVR_CLASS_COUNT; i++) cur.class_counts[i] = s.class_counts[i] - cur.class_counts[i];
      segs.Set(n++, SegmentObject(env, cur));
    }
    r.Set("segments", segs);
  }
  static const char *const kNames[kOutputStreams] = {"stdout", "stderr", "publicOutput"};
  for (int i = 0; i < kOutputStreams; i++) {
    std::vector<uint8_t> &out = core.host.output[i];
    r.Set(kNames[i], Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size()));
    std::vector<uint8_t>().swap(out);  // the result owns this run's output now
  }
  Napi::Array regs = Napi::Array::New(env, 32);
  for (uint32_t i = 0; i < 32; i++) regs.Set(i, Napi::BigInt::New(env, s.x[i]));
  r.Set("registers", regs);
  return r;
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<MachineCore> core)
      : Napi::AsyncWorker(env, "rvr.run"),
        core_(std::move(core)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    const std::string &path = core_->lib->path;
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) rc = pthread_attr_setstacksize(&attr, kGuestStackSize);
    pthread_t thread;
    if (rc == 0) rc = pthread_create(&thread, &attr, GuestThread, core_.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) {
      SetError(path + ": cannot start a guest thread with a 256 MiB stack: " + ErrnoText(rc));
      return;
    }
    pthread_join(thread, nullptr);
    const rvr_state &s = core_->state;
    if (!core_->host.error.empty()) {
      SetError(path + ": " + core_->host.error);
    } else if (s.status != RVR_EXITED && s.status != RVR_TRAPPED && s.status != RVR_SUSPENDED &&
               s.status != RVR_OUT_OF_GAS) {
      SetError(path + ": guest library stopped with invalid status " + std::to_string(s.status));
    }
  }

  void OnOK() override {
    core_->running = false;
    Napi::Env env = Env();
    try {
      deferred_.Resolve(ResultObject(env, *core_));
    } catch (const Napi::Error &e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error &e) override {
    core_->running = false;
    deferred_.Reject(e.Value());
  }

 private:
  std::shared_ptr<MachineCore> core_;
  Napi::Promise::Deferred deferred_;
};

// ---------------------------------------------------------------------------------------------
// Machine

class MachineWrap : public Napi::ObjectWrap<MachineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "RvrMachine",
        {
            InstanceMethod<&MachineWrap::Run>("run"),
            InstanceMethod<&MachineWrap::ReadMemory>("readMemory"),
            InstanceMethod<&MachineWrap::WriteMemory>("writeMemory"),
            InstanceMethod<&MachineWrap::Dispose>("dispose"),
            InstanceMethod<&MachineWrap::SaveState>("saveState"),
            InstanceMethod<&MachineWrap::LoadState>("loadState"),
            InstanceMethod<&MachineWrap::ChangedPages>("changedPages"),
            InstanceAccessor<&MachineWrap::GetRegisters, &MachineWrap::SetRegisters>("registers"),
            InstanceAccessor<&MachineWrap::GetPc, &MachineWrap::SetPc>("pc"),
            InstanceAccessor<&MachineWrap::Running>("running"),
            InstanceAccessor<&MachineWrap::Disposed>("disposed"),
        });
  }

  explicit MachineWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<MachineWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw Napi::TypeError::New(info.Env(), "Machine objects are created by createMachine()");
    core_ = *info[0].As<Napi::External<std::shared_ptr<MachineCore>>>().Data();
    path_ = core_->lib->path;
  }

 private:
  // The live core, or throws if disposed / (optionally) running.
  MachineCore &Core(const Napi::Env &env, bool idle = true) {
    if (!core_) throw Napi::Error::New(env, path_ + ": machine has been disposed");
    if (idle && core_->running)
      throw Napi::Error::New(env, path_ + ": machine is running; await run() first");
    return *core_;
  }

  uint64_t XlenMask() const {
    return core_->host.xlen == 32 ? 0xffffffffull : ~0ull;
  }

  // Why pc cannot be where a guest continues, or "" when it can: inside the arena and on a
  // 2-byte boundary (an odd pc is never an instruction, and generated code reserves odd values
  // for itself).
  static std::string PcProblem(const MachineCore &c, uint64_t pc) {
    if (pc >= c.host.mem_size)
      return "pc " + Hex(pc) + " is outside the guest arena (0x0.." + Hex(c.host.mem_size - 1) + ")";
    if (pc & 1) return "pc " + Hex(pc) + " is not 2-byte aligned (no instruction starts there)";
    return "";
  }

  Napi::Value Run(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto reject = [&](const std::string &msg) {
      Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
      d.Reject(Napi::Error::New(env, msg).Value());
      return d.Promise();
    };
    const std::string &path = path_;
    if (!core_) return reject(path + ": machine has been disposed");
    if (core_->running) return reject(path + ": machine is already running");
    const rvr_state &s = core_->state;
    if (s.status == RVR_EXITED)
      return reject(path + ": machine has already exited (code " + std::to_string(s.exit_code) +
                    ")");
    if (s.status == RVR_TRAPPED) return reject(path + ": machine has already stopped");
    // Limits for this run: an instruction budget (relative) and a cost ceiling (absolute).
    // Missing or undefined means none. A suspended or out-of-gas machine continues from its pc.
    uint64_t budget = UINT64_MAX, ceiling = UINT64_MAX;
    if (info.Length() > 0 && info[0].IsObject()) {
      Napi::Object limits = info[0].As<Napi::Object>();
      bool lossless = true;
      Napi::Value v = limits.Get("maxInstructions");
      if (v.IsBigInt()) budget = v.As<Napi::BigInt>().Uint64Value(&lossless);
      if (!lossless) return reject(path + ": maxInstructions must be a non-negative 64-bit value");
      v = limits.Get("maxCost");
      if (v.IsBigInt()) ceiling = v.As<Napi::BigInt>().Uint64Value(&lossless);
      if (!lossless) return reject(path + ": maxCost must be a non-negative 64-bit value");
    }
    rvr_state &st = core_->state;
    st.insn_limit = budget > UINT64_MAX - st.instret ? UINT64_MAX : st.instret + budget;
    core_->run_limit = st.insn_limit;
    st.cost_limit = ceiling;
    st.status = RVR_RUNNING;
    RunWorker *worker = new RunWorker(env, core_);
    Napi::Promise promise = worker->Promise();
    core_->running = true;
    worker->Queue();
    return promise;
  }

  // Range-checks [addr, addr + len) against the arena.
  void CheckRange(const Napi::Env &env, const MachineCore &c, uint64_t addr, uint64_t len,
                  const char *op) {
    uint64_t size = c.host.mem_size;
    if (addr > size || len > size - addr)
      throw Napi::RangeError::New(env, path_ + ": " + op + ": range " + Hex(addr) + "+" +
                                           std::to_string(len) + " is outside the guest arena (" +
                                           Hex(size) + " bytes)");
  }

  Napi::Value ReadMemory(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    uint64_t addr = ToU64(env, info[0], "readMemory: address");
    uint64_t len = ToU64(env, info[1], "readMemory: length");
    CheckRange(env, c, addr, len, "readMemory");
    return Napi::Buffer<uint8_t>::Copy(env, c.arena + addr, static_cast<size_t>(len));
  }

  void WriteMemory(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    uint64_t addr = ToU64(env, info[0], "writeMemory: address");
    auto bytes = BytesOf(env, info[1], "writeMemory: data");
    CheckRange(env, c, addr, bytes.second, "writeMemory");
    if (bytes.second != 0) std::memmove(c.arena + addr, bytes.first, bytes.second);
  }

  void Dispose(const Napi::CallbackInfo &) { core_.reset(); }

  // Everything but memory and output that a suspended machine needs to continue elsewhere
  // (src/runtime/snapshot.ts serialises it).
  Napi::Value SaveState(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    const rvr_state &s = c.state;
    auto big = [&](uint64_t v) { return Napi::BigInt::New(env, v); };
    auto counts = [&](const uint64_t *k) {
      Napi::Array a = Napi::Array::New(env, RVR_CLASS_COUNT);
      for (uint32_t i = 0; i < RVR_CLASS_COUNT; i++) a.Set(i, big(k[i]));
      return a;
    };
    auto segment = [&](const Segment &seg) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("start", big(seg.start));
      o.Set("length", big(seg.length));
      o.Set("cost", big(seg.cost));
      o.Set("classCounts", counts(seg.class_counts));
      return o;
    };
    Napi::Object o = Napi::Object::New(env);
    Napi::Array regs = Napi::Array::New(env, 32);
    for (uint32_t i = 0; i < 32; i++) regs.Set(i, big(s.x[i]));
    o.Set("registers", regs);
    o.Set("pc", big(s.pc));
    o.Set("status", Napi::Number::New(env, s.status));
    o.Set("instret", big(s.instret));
    o.Set("cost", big(s.cost));
    o.Set("classCounts", counts(s.class_counts));
    o.Set("brk", big(c.host.brk));
    o.Set("clockCalls", big(c.host.clock_calls));
    o.Set("inputPos", big(c.host.input_pos));
    o.Set("inputLength", big(c.host.input.size()));
    o.Set("segmentSize", big(c.segment_size));
    o.Set("open", segment(c.open));
    Napi::Array segs = Napi::Array::New(env, c.segments.size());
    for (uint32_t i = 0; i < c.segments.size(); i++) segs.Set(i, segment(c.segments[i]));
    o.Set("segments", segs);
    return o;
  }

  // The inverse of SaveState on a machine that has not run yet (same program, same input).
  void LoadState(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "loadState: expected a state object");
    Napi::Object o = info[0].As<Napi::Object>();
    auto u64 = [&](Napi::Object from, const char *key) { return ToU64(env, from.Get(key), key); };
    auto counts = [&](Napi::Object from, uint64_t *k) {
      Napi::Value v = from.Get("classCounts");
      if (!v.IsArray() || v.As<Napi::Array>().Length() != RVR_CLASS_COUNT)
        throw Napi::TypeError::New(env, "loadState: classCounts must have " + std::to_string(RVR_CLASS_COUNT) + " entries");
      for (uint32_t i = 0; i < RVR_CLASS_COUNT; i++) k[i] = ToU64(env, v.As<Napi::Array>().Get(i), "classCounts");
    };
    auto segment = [&](Napi::Value v) {
      if (!v.IsObject()) throw Napi::TypeError::New(env, "loadState: a segment must be an object");
      Napi::Object so = v.As<Napi::Object>();
      Segment seg;
      seg.start = u64(so, "start");
      seg.length = u64(so, "length");
      seg.cost = u64(so, "cost");
      counts(so, seg.class_counts);
      return seg;
    };
    Napi::Value regsValue = o.Get("registers");
    if (!regsValue.IsArray() || regsValue.As<Napi::Array>().Length() != 32)
      throw Napi::TypeError::New(env, "loadState: registers must have 32 entries");
    rvr_state s = c.state;
    for (uint32_t i = 0; i < 32; i++) {
      s.x[i] = ToU64(env, regsValue.As<Napi::Array>().Get(i), "registers");
      if (s.x[i] & ~XlenMask()) throw Napi::RangeError::New(env, "loadState: a register does not fit in XLEN bits");
    }
    s.x[0] = 0;
    s.pc = u64(o, "pc");
    std::string pc_problem = PcProblem(c, s.pc);
    if (!pc_problem.empty()) throw Napi::RangeError::New(env, "the snapshot's " + pc_problem);
    uint32_t status = static_cast<uint32_t>(u64(o, "status"));
    if (status != RVR_RUNNING && status != RVR_SUSPENDED && status != RVR_OUT_OF_GAS)
      throw Napi::RangeError::New(env, "loadState: only a machine that can continue can be restored");
    s.status = status;
    s.instret = u64(o, "instret");
    s.cost = u64(o, "cost");
    counts(o, s.class_counts);
    HostContext h = c.host;
    h.brk = u64(o, "brk");
    if (h.brk < h.initial_brk || h.brk > h.brk_limit) throw Napi::RangeError::New(env, "loadState: brk outside the program's heap");
    h.clock_calls = u64(o, "clockCalls");
    uint64_t pos = u64(o, "inputPos");
    if (pos > h.input.size()) throw Napi::RangeError::New(env, "loadState: input position past the end of the input");
    h.input_pos = static_cast<size_t>(pos);
    uint64_t segment_size = u64(o, "segmentSize");
    Segment open = segment(o.Get("open"));
    Napi::Value segsValue = o.Get("segments");
    if (!segsValue.IsArray()) throw Napi::TypeError::New(env, "loadState: segments must be an array");
    std::vector<Segment> segs;
    for (uint32_t i = 0; i < segsValue.As<Napi::Array>().Length(); i++) segs.push_back(segment(segsValue.As<Napi::Array>().Get(i)));
    // Everything parsed: commit.
    c.state = s;
    c.host.brk = h.brk;
    c.host.clock_calls = h.clock_calls;
    c.host.input_pos = h.input_pos;
    c.segment_size = segment_size;
    c.open = open;
    c.segments = std::move(segs);
  }

  // Guest addresses of the 4 KiB pages whose bytes differ from the program's initial image.
  // Pages never touched are not resident (mincore) and so still hold their initial bytes.
  Napi::Value ChangedPages(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    constexpr uint64_t kChunk = 4096;
    long host_page = sysconf(_SC_PAGESIZE);
    if (host_page <= 0 || host_page % kChunk != 0) host_page = kChunk;
    const uint64_t size = c.host.mem_size;
    const uint64_t npages = (size + host_page - 1) / host_page;
    std::vector<unsigned char> resident(static_cast<size_t>(npages));
    if (mincore(c.arena, static_cast<size_t>(size), resident.data()) != 0)
      throw Napi::Error::New(env, path_ + ": cannot scan guest memory: " + ErrnoText(errno));
    const rvr_program &d = *c.lib->desc;
    static const uint8_t kZero[kChunk] = {};
    std::vector<uint64_t> changed;
    for (uint64_t p = 0; p < npages; p++) {
      if (!(resident[p] & 1)) continue;
      for (uint64_t a = p * host_page; a < (p + 1) * host_page && a < size; a += kChunk) {
        const uint8_t *mem = c.arena + a;
        bool same = true;
        // Expected bytes: zero, overlaid by the file bytes of each segment.
        uint64_t cursor = a;
        const uint64_t end = a + kChunk;
        while (same && cursor < end) {
          uint64_t next = end;
          const uint8_t *expect = nullptr;
          for (uint32_t i = 0; i < d.nsegments; i++) {
            const rvr_segment &seg = d.segments[i];
            uint64_t lo = seg.vaddr, hi = seg.vaddr + seg.filesz;
            if (cursor >= lo && cursor < hi) {
              expect = seg.data + (cursor - lo);
              next = std::min(next, hi);
            } else if (lo > cursor) {
              next = std::min(next, lo);
            }
          }
          size_t n = static_cast<size_t>(next - cursor);
          same = std::memcmp(mem + (cursor - a), expect != nullptr ? expect : kZero, n) == 0;
          cursor = next;
        }
        if (!same) changed.push_back(a);
      }
    }
    Napi::Array out = Napi::Array::New(env, changed.size());
    for (uint32_t i = 0; i < changed.size(); i++) out.Set(i, Napi::BigInt::New(env, changed[i]));
    return out;
  }

  Napi::Value GetRegisters(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    Napi::Array regs = Napi::Array::New(env, 32);
    for (uint32_t i = 0; i < 32; i++) regs.Set(i, Napi::BigInt::New(env, c.state.x[i]));
    return regs;
  }

  void SetRegisters(const Napi::CallbackInfo &info, const Napi::Value &value) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    if (!value.IsArray() || value.As<Napi::Array>().Length() != 32)
      throw Napi::TypeError::New(env, path_ + ": registers must be an array of 32 values");
    Napi::Array arr = value.As<Napi::Array>();
    uint64_t x[32];
    for (uint32_t i = 0; i < 32; i++) {
      std::string what = "registers[" + std::to_string(i) + "]";
      x[i] = ToU64(env, arr.Get(i), what.c_str());
      if (x[i] & ~XlenMask())
        throw Napi::RangeError::New(env, path_ + ": " + what + " does not fit in " +
                                             std::to_string(c.host.xlen) + " bits");
    }
    x[0] = 0;  // x0 is hard-wired to zero
    std::memcpy(c.state.x, x, sizeof x);
  }

  Napi::Value GetPc(const Napi::CallbackInfo &info) {
    return Napi::BigInt::New(info.Env(), Core(info.Env()).state.pc);
  }

  void SetPc(const Napi::CallbackInfo &info, const Napi::Value &value) {
    Napi::Env env = info.Env();
    MachineCore &c = Core(env);
    uint64_t pc = ToU64(env, value, "pc");
    std::string problem = PcProblem(c, pc);
    if (!problem.empty()) throw Napi::RangeError::New(env, path_ + ": " + problem);
    c.state.pc = pc;
  }

  Napi::Value Running(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), core_ && core_->running);
  }

  Napi::Value Disposed(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), !core_);
  }

  std::shared_ptr<MachineCore> core_;
  std::string path_;  // of the library, for error messages (kept after dispose)
};

// ---------------------------------------------------------------------------------------------
// Loading

// Checks a program descriptor; returns an error text, or "" when it is usable.
std::string ValidateDesc(const rvr_program &d) {
  if (d.xlen != 32 && d.xlen != 64) return "xlen " + std::to_string(d.xlen) + " is not 32 or 64";
  uint32_t max_bits = d.xlen == 32 ? 32 : 38;
  if (d.mem_bits < 16 || d.mem_bits > max_bits)
    return "mem_bits " + std::to_string(d.mem_bits) + " is outside 16.." +
           std::to_string(max_bits) + " for RV" + std::to_string(d.xlen);
  if (d.mode > RVR_MODE_METERED_COST) return "unknown execution mode " + std::to_string(d.mode);
  if (d.run == nullptr) return "run entry point is NULL";
  uint64_t size = uint64_t{1} << d.mem_bits;
  if (d.entry >= size) return "entry " + Hex(d.entry) + " is outside the arena";
  if (d.initial_sp > size) return "initial_sp " + Hex(d.initial_sp) + " is outside the arena";
  if (d.brk_limit > size) return "brk_limit " + Hex(d.brk_limit) + " is outside the arena";
  if (d.initial_brk > d.brk_limit)
    return "initial_brk " + Hex(d.initial_brk) + " is above brk_limit " + Hex(d.brk_limit);
  if (d.nsegments != 0 && d.segments == nullptr) return "segments table is NULL";
  if (d.counter_words > (uint32_t{1} << 24)) return "counter_words " + std::to_string(d.counter_words) + " is too large";
  for (uint32_t i = 0; i < d.nsegments; i++) {
    const rvr_segment &s = d.segments[i];
    std::string name = "segment " + std::to_string(i);
    if (s.filesz > s.memsz) return name + " has filesz > memsz";
    if (s.vaddr > size || s.memsz > size - s.vaddr)
      return name + " (" + Hex(s.vaddr) + "+" + Hex(s.memsz) + ") is outside the arena";
    if (s.filesz != 0 && s.data == nullptr) return name + " has no data";
  }
  return "";
}

constexpr napi_property_attributes kExported =
    static_cast<napi_property_attributes>(napi_enumerable | napi_configurable);

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports) {
    program_ctor_ = Napi::Persistent(ProgramWrap::Define(env));
    machine_ctor_ = Napi::Persistent(MachineWrap::Define(env));
    DefineAddon(exports,
                {
                    InstanceMethod<&Addon::LoadProgram>("loadProgram", kExported),
                    InstanceMethod<&Addon::CreateMachine>("createMachine", kExported),
                    InstanceValue("abiVersion", Napi::Number::New(env, RVR_ABI_VERSION),
                                  napi_enumerable),
                    InstanceValue("guestStackSize",
                                  Napi::Number::New(env, static_cast<double>(kGuestStackSize)),
                                  napi_enumerable),
                });
  }

 private:
  Napi::Value LoadProgram(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString())
      throw Napi::TypeError::New(env, "loadProgram: path must be a string");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    if (path.empty() || path.find('\0') != std::string::npos)
      throw Napi::TypeError::New(env, "loadProgram: invalid path");
    // Without a slash dlopen would search the library path instead of opening the file.
    std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;

    auto lib = std::make_shared<Library>();
    lib->path = path;
    dlerror();
    lib->handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == nullptr) {
      const char *e = dlerror();
      std::string msg = OneLine(e != nullptr ? e : "dlopen failed");
      if (msg.find(path) == std::string::npos) msg = path + ": " + msg;
      throw Napi::Error::New(env, msg);
    }
    const uint32_t *version =
        static_cast<const uint32_t *>(dlsym(lib->handle, "rvr_abi_version"));
    if (version == nullptr)
      throw Napi::Error::New(env,
                             path + ": not an rvr guest library (no rvr_abi_version symbol)");
    if (*version != RVR_ABI_VERSION)
      throw Napi::Error::New(env, path + ": guest library ABI version " +
                                      std::to_string(*version) + ", this runtime supports " +
                                      std::to_string(RVR_ABI_VERSION));
    lib->desc = static_cast<const rvr_program *>(dlsym(lib->handle, "rvr_program_desc"));
    if (lib->desc == nullptr)
      throw Napi::Error::New(env,
                             path + ": not an rvr guest library (no rvr_program_desc symbol)");
    if (lib->desc->abi_version != RVR_ABI_VERSION)
      throw Napi::Error::New(env, path + ": guest library ABI version " +
                                      std::to_string(lib->desc->abi_version) +
                                      " (in rvr_program_desc), this runtime supports " +
                                      std::to_string(RVR_ABI_VERSION));
    std::string problem = ValidateDesc(*lib->desc);
    if (!problem.empty())
      throw Napi::Error::New(env, path + ": invalid guest library: " + problem);
    return program_ctor_.New({Napi::External<std::shared_ptr<Library>>::New(env, &lib)});
  }

  Napi::Value CreateMachine(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject() ||
        !info[0].As<Napi::Object>().InstanceOf(program_ctor_.Value()))
      throw Napi::TypeError::New(env, "createMachine: expected a Program from loadProgram()");
    ProgramWrap *program = ProgramWrap::Unwrap(info[0].As<Napi::Object>());
    if (program == nullptr || !program->lib())
      throw Napi::TypeError::New(env, "createMachine: expected a Program from loadProgram()");
    const std::shared_ptr<Library> &lib = program->lib();
    const rvr_program &d = *lib->desc;

    auto core = std::make_shared<MachineCore>();
    core->lib = lib;
    HostContext &h = core->host;
    if (info.Length() >= 2 && !info[1].IsUndefined() && !info[1].IsNull()) {
      auto bytes = BytesOf(env, info[1], "createMachine: input");
      if (bytes.second != 0) h.input.assign(bytes.first, bytes.first + bytes.second);
    }
    if (info.Length() >= 3 && info[2].IsObject()) {
      Napi::Value size = info[2].As<Napi::Object>().Get("segmentSize");
      if (!size.IsUndefined()) {
        core->segment_size = ToU64(env, size, "createMachine: segmentSize");
        if (core->segment_size == 0) throw Napi::RangeError::New(env, "createMachine: segmentSize must be positive");
      }
    }
    h.xlen = d.xlen;
    h.mem_size = uint64_t{1} << d.mem_bits;
    h.initial_brk = d.initial_brk;
    h.brk_limit = d.brk_limit;
    h.brk = d.initial_brk;

    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    // Below the arena: whole pages for the library's block counters (abi.h, counter_words);
    // above it: one inaccessible guard page.
    const size_t page_bytes = static_cast<size_t>(page);
    const size_t counter_bytes = static_cast<size_t>(d.counter_words) * sizeof(uint64_t);
    const size_t below = (counter_bytes + page_bytes - 1) / page_bytes * page_bytes;
    core->map_len = below + static_cast<size_t>(h.mem_size) + page_bytes;
    void *p = mmap(nullptr, core->map_len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw Napi::Error::New(env, lib->path + ": cannot reserve a guest arena of 2^" +
                                      std::to_string(d.mem_bits) + " bytes: " + ErrnoText(errno));
    core->map_base = static_cast<uint8_t *>(p);
    core->arena = core->map_base + below;
    if (mprotect(core->arena + h.mem_size, page_bytes, PROT_NONE) != 0)
      throw Napi::Error::New(env, lib->path + ": cannot set up the arena guard page: " +
                                      ErrnoText(errno));
    for (uint32_t i = 0; i < d.nsegments; i++) {
      const rvr_segment &seg = d.segments[i];
      if (seg.filesz != 0) std::memcpy(core->arena + seg.vaddr, seg.data, seg.filesz);
    }

    rvr_state &s = core->state;
    s.x[2] = d.initial_sp;
    s.pc = d.entry;
    s.mem = core->arena;
    s.status = RVR_RUNNING;
    s.trap_cause = RVR_TRAP_NONE;
    s.insn_limit = UINT64_MAX;
    s.cost_limit = UINT64_MAX;
    s.ecall = rvr_host_ecall;
    s.host = &core->host;

    return machine_ctor_.New({Napi::External<std::shared_ptr<MachineCore>>::New(env, &core)});
  }

  Napi::FunctionReference program_ctor_;
  Napi::FunctionReference machine_ctor_;
};

}  // namespace
}  // namespace rvr

using RvrAddon = rvr::Addon;
NODE_API_ADDON(RvrAddon)
