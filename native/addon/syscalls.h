// Host side of the guest system call ABI (see native/include/rvr/abi.h and src/isa/abi.ts).
#ifndef RVR_ADDON_SYSCALLS_H
#define RVR_ADDON_SYSCALLS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rvr/abi.h"

namespace rvr {

// Output streams a guest can write to, indexed by guest fd - 1.
enum OutputStream { kStdout = 0, kStderr = 1, kPublic = 2, kOutputStreams = 3 };

// Per-machine state the system call handler works on; rvr_state::host points at one of these.
struct HostContext {
  uint32_t xlen = 64;        // 32 or 64
  uint64_t mem_size = 0;     // arena size, 2^mem_bits
  std::vector<uint8_t> input;
  size_t input_pos = 0;
  std::vector<uint8_t> output[kOutputStreams];
  uint64_t initial_brk = 0;
  uint64_t brk_limit = 0;
  uint64_t brk = 0;
  uint64_t clock_calls = 0;  // successful clock_gettime calls so far (the virtual clock)
  // Set when the host itself failed (e.g. out of memory while buffering output). The handler
  // then stops the machine (status TRAPPED, cause NONE) and the run is reported as an error.
  std::string error;
};

// The rvr_ecall_fn installed in every machine. Never throws and never aborts.
extern "C" int rvr_host_ecall(rvr_state *s) noexcept;

}  // namespace rvr

#endif  // RVR_ADDON_SYSCALLS_H
