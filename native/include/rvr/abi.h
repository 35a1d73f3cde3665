/*
 * rvr guest ABI: the contract between a recompiled guest library (generated C) and the host
 * that loads it (native/addon). Mirrors src/isa/abi.ts.
 *
 * A library exports two symbols:
 *   const uint32_t      rvr_abi_version;   checked first, before anything else is read
 *   const rvr_program   rvr_program_desc;  layout, initial memory image, metadata, entry point
 * The host allocates an arena of 2^mem_bits bytes (with desc.counter_words zeroed 64-bit words
 * right below it), copies the segments in, fills an rvr_state (pc = entry, sp, ecall handler)
 * and calls desc.run(state) until state.status != RUNNING.
 */
#ifndef RVR_ABI_H
#define RVR_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RVR_ABI_VERSION 3u

enum rvr_status {
  RVR_RUNNING = 0,
  RVR_EXITED = 1,
  RVR_TRAPPED = 2,
  RVR_SUSPENDED = 3,   /* instret reached insn_limit; pc is the next instruction */
  RVR_OUT_OF_GAS = 4,  /* the instruction at pc would take cost past cost_limit; not executed */
};

/* Instruction classes for metering (index into class_counts), as src/isa/types.ts orders them. */
enum rvr_class {
  RVR_CLASS_ALU = 0,
  RVR_CLASS_MULDIV = 1,
  RVR_CLASS_LOAD = 2,
  RVR_CLASS_STORE = 3,
  RVR_CLASS_BRANCH = 4,
  RVR_CLASS_JUMP = 5,
  RVR_CLASS_SYSTEM = 6,
  RVR_CLASS_COUNT = 8 /* room for extension classes */
};

enum rvr_trap_cause {
  RVR_TRAP_NONE = 0,
  RVR_TRAP_ILLEGAL_INSTRUCTION = 1, /* trap_value: the encoding */
  RVR_TRAP_BREAKPOINT = 2,
  RVR_TRAP_LOAD_FAULT = 3,          /* trap_value: the address */
  RVR_TRAP_STORE_FAULT = 4,         /* trap_value: the address */
  RVR_TRAP_FETCH_FAULT = 5,         /* trap_value: the target (outside executable code) */
  RVR_TRAP_MISALIGNED_FETCH = 6,    /* trap_value: the target */
};

enum rvr_mode {
  RVR_MODE_PURE = 0,
  RVR_MODE_METERED = 1,
  RVR_MODE_METERED_COST = 2,
};

typedef struct rvr_state rvr_state;

/*
 * Handles the system call described by s->x[17] (number) and s->x[10..15] (arguments),
 * writing the result to s->x[10]. Returns 0 to continue; non-zero after setting s->status
 * to stop the machine (exit). s->pc holds the address of the ecall.
 */
typedef int (*rvr_ecall_fn)(rvr_state *s);

struct rvr_state {
  uint64_t x[32];       /* integer registers; RV32 values are kept zero-extended */
  uint64_t pc;          /* next pc to run; on a trap, the faulting instruction */
  uint8_t *mem;         /* arena base: guest address a lives at mem[a] */
  uint64_t instret;     /* instructions retired (every mode counts them) */
  uint32_t status;      /* enum rvr_status */
  int32_t exit_code;    /* low 8 bits of the exit status, as a Linux parent sees it */
  uint32_t trap_cause;  /* enum rvr_trap_cause */
  uint32_t reserved0;
  uint64_t trap_pc;
  uint64_t trap_value;
  rvr_ecall_fn ecall;
  void *host;           /* opaque to generated code */
  /*
   * Lowest host stack address generated code may nest guest calls down to; below it, calls go
   * through the dispatcher instead (correct, slower). Set by the host from the stack it runs
   * the guest on; 0 disables nesting entirely.
   */
  uint64_t stack_limit;
  /*
   * Limits, exact to the instruction. The run stops with RVR_SUSPENDED before the instruction
   * that would make instret exceed insn_limit, and with RVR_OUT_OF_GAS (metered_cost) before the
   * one that would make cost exceed cost_limit. UINT64_MAX means no limit.
   */
  uint64_t insn_limit;
  uint64_t cost;        /* metered_cost: sum of class weights of retired instructions */
  uint64_t cost_limit;
  /*
   * metered, metered_cost: retired per class. Generated code leaves class_counts[RVR_CLASS_ALU]
   * alone; every instruction has one class, so the host sets it to instret minus the others
   * whenever run() returns.
   */
  uint64_t class_counts[RVR_CLASS_COUNT];
  /*
   * Scratch of generated code while run() is running; the host leaves them alone.
   * budget_limit: the instruction count region code may run up to without looking at any other
   * limit (insn_limit, or lower in metered_cost: while cost is not brought up to date, it is
   * bounded by the largest class weight per instruction). cost_synced: instret when cost was
   * last brought up to date.
   */
  uint64_t budget_limit;
  uint64_t cost_synced;
};

typedef struct {
  uint64_t vaddr;
  uint64_t filesz;
  uint64_t memsz;
  const uint8_t *data;  /* filesz bytes; the rest up to memsz is zero */
  uint32_t flags;       /* ELF PF_R | PF_W | PF_X */
  uint32_t reserved;
} rvr_segment;

typedef struct {
  uint32_t abi_version;
  uint32_t xlen;        /* 32 or 64 */
  uint32_t mem_bits;    /* arena is 2^mem_bits bytes */
  uint32_t mode;        /* enum rvr_mode */
  uint64_t entry;
  uint64_t initial_sp;
  uint64_t initial_brk;
  uint64_t brk_limit;
  uint32_t nsegments;
  /*
   * metered modes: 64-bit words generated code keeps right below mem (mem[-8 * counter_words]
   * up to mem), zero whenever run() is not running. They count how often blocks ran; run()
   * folds them into class_counts (and cost) before it returns. A guest address is never
   * negative, so no guest access reaches them.
   */
  uint32_t counter_words;
  const rvr_segment *segments;
  const char *metadata_json; /* codegen version, fingerprint, isa, mode, ... */
  void (*run)(rvr_state *s); /* runs from s->pc until s->status != RVR_RUNNING */
} rvr_program;

#ifdef __cplusplus
}
#endif

#endif /* RVR_ABI_H */
