// Host side of the guest system call ABI, exactly as src/isa/abi.ts describes it:
//   exit 93 / exit_group 94, write 64 (fds 1, 2, 3), read 63 (fd 0), brk 214,
//   clock_gettime 113 (RV64) / 403 (RV32, 64-bit time) as a virtual clock; anything else -ENOSYS.
// Results are XLEN-bit two's complement, kept zero-extended in the 64-bit register file.
#include "syscalls.h"

#include <cstring>
#include <new>
#include <stdexcept>

namespace rvr {
namespace {

constexpr uint64_t kSysRead = 63;
constexpr uint64_t kSysWrite = 64;
constexpr uint64_t kSysExit = 93;
constexpr uint64_t kSysExitGroup = 94;
constexpr uint64_t kSysClockGettime = 113;
constexpr uint64_t kSysClockGettime64 = 403;
constexpr uint64_t kSysBrk = 214;

constexpr int64_t kEBADF = 9;
constexpr int64_t kEFAULT = 14;
constexpr int64_t kEINVAL = 22;
constexpr int64_t kENOSYS = 38;

constexpr uint64_t kMaxClockId = 11;
constexpr uint64_t kClockTickNs = 1000;

uint64_t Arg(const rvr_state *s, const HostContext *h, int reg) {
  uint64_t v = s->x[reg];
  return h->xlen == 32 ? (v & 0xffffffffu) : v;
}

void SetResult(rvr_state *s, const HostContext *h, int64_t value) {
  uint64_t v = static_cast<uint64_t>(value);
  s->x[10] = h->xlen == 32 ? (v & 0xffffffffu) : v;
}

// True when [addr, addr + len) lies inside the arena.
bool InArena(const HostContext *h, uint64_t addr, uint64_t len) {
  return addr <= h->mem_size && len <= h->mem_size - addr;
}

void StoreLe64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

int64_t SysWrite(rvr_state *s, HostContext *h) {
  uint64_t fd = Arg(s, h, 10), addr = Arg(s, h, 11), len = Arg(s, h, 12);
  if (fd < 1 || fd > 3) return -kEBADF;
  if (!InArena(h, addr, len)) return -kEFAULT;
  // Buffers are unbounded for now; std::vector grows geometrically (amortised O(1) per byte).
  std::vector<uint8_t> &out = h->output[fd - 1];
  out.insert(out.end(), s->mem + addr, s->mem + addr + len);
  return static_cast<int64_t>(len);
}

int64_t SysRead(rvr_state *s, HostContext *h) {
  uint64_t fd = Arg(s, h, 10), addr = Arg(s, h, 11), len = Arg(s, h, 12);
  if (fd != 0) return -kEBADF;
  if (!InArena(h, addr, len)) return -kEFAULT;
  uint64_t avail = h->input.size() - h->input_pos;
  uint64_t n = len < avail ? len : avail;
  if (n) std::memcpy(s->mem + addr, h->input.data() + h->input_pos, n);
  h->input_pos += n;
  return static_cast<int64_t>(n);
}

int64_t SysBrk(rvr_state *s, HostContext *h) {
  uint64_t want = Arg(s, h, 10);
  if (want != 0 && want >= h->initial_brk && want <= h->brk_limit) h->brk = want;
  return static_cast<int64_t>(h->brk);
}

int64_t SysClockGettime(rvr_state *s, HostContext *h) {
  uint64_t clock_id = Arg(s, h, 10), addr = Arg(s, h, 11);
  if (clock_id > kMaxClockId) return -kEINVAL;
  if (!InArena(h, addr, 16)) return -kEFAULT;
  uint64_t t = (h->clock_calls + 1) * kClockTickNs;
  h->clock_calls++;
  StoreLe64(s->mem + addr, t / 1000000000u);
  StoreLe64(s->mem + addr + 8, t % 1000000000u);
  return 0;
}

int Dispatch(rvr_state *s, HostContext *h) {
  uint64_t nr = Arg(s, h, 17);
  switch (nr) {
    case kSysExit:
    case kSysExitGroup:
      s->status = RVR_EXITED;
      s->exit_code = static_cast<int32_t>(Arg(s, h, 10) & 0xff);
      return 1;
    case kSysWrite:
      SetResult(s, h, SysWrite(s, h));
      return 0;
    case kSysRead:
      SetResult(s, h, SysRead(s, h));
      return 0;
    case kSysBrk:
      SetResult(s, h, SysBrk(s, h));
      return 0;
    case kSysClockGettime:
      SetResult(s, h, h->xlen == 64 ? SysClockGettime(s, h) : -kENOSYS);
      return 0;
    case kSysClockGettime64:
      SetResult(s, h, h->xlen == 32 ? SysClockGettime(s, h) : -kENOSYS);
      return 0;
    default:
      SetResult(s, h, -kENOSYS);
      return 0;
  }
}

int StopWithHostError(rvr_state *s, HostContext *h, const char *what) {
  try {
    h->error = what;
  } catch (...) {
  }
  s->status = RVR_TRAPPED;
  s->trap_cause = RVR_TRAP_NONE;
  s->trap_pc = s->pc;
  return 1;
}

}  // namespace

extern "C" int rvr_host_ecall(rvr_state *s) noexcept {
  HostContext *h = static_cast<HostContext *>(s->host);
  if (h == nullptr) {
    s->status = RVR_TRAPPED;
    return 1;
  }
  try {
    return Dispatch(s, h);
  } catch (const std::bad_alloc &) {
    return StopWithHostError(s, h, "out of host memory while handling a guest system call");
  } catch (const std::length_error &) {
    return StopWithHostError(s, h, "guest output too large for the host");
  } catch (...) {
    return StopWithHostError(s, h, "host failure while handling a guest system call");
  }
}

}  // namespace rvr
