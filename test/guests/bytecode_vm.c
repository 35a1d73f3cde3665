/* bytecode_vm: a small stack-machine interpreter (switch dispatch, call/return stack, locals)
 * with a two-pass assembler (mnemonics, numbers, "name:" labels and "@name" references).
 * Runs built-in programs — factorials, Fibonacci, gcd through a subroutine, the longest Collatz
 * chain below 300 — and then a program read from the input.
 * Exit code: the last value printed by the input program, modulo 256. */
#include "rvr_guest.h"

enum { HALT, PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIV, MOD, LT, EQ, NOT, JMP, JZ, JNZ,
       LOAD, STORE, CALL, RET, PRINT, NOP, NOPS };
static const char *const names[NOPS] = {"halt", "push", "pop", "dup", "swap", "over", "add", "sub",
                                        "mul", "div", "mod", "lt", "eq", "not", "jmp", "jz", "jnz",
                                        "load", "store", "call", "ret", "print", "nop"};

#define MAX_STEPS 20000000u

struct vm { int32_t stack[256]; int sp; int32_t locals[16]; int32_t rstack[64]; int rsp;
            uint32_t steps; int32_t last; };

static int run(struct vm *m, const int32_t *code, int len) {
  int pc = 0;
  m->sp = 0;
  m->rsp = 0;
  m->steps = 0;
  memset(m->locals, 0, sizeof m->locals);
  for (;;) {
    if (pc < 0 || pc >= len) return -1;
    if (++m->steps > MAX_STEPS) return -6;
    int32_t op = code[pc++];
    int32_t a, b;
    switch (op) {
      case HALT: return 0;
      case PUSH: m->stack[m->sp++] = code[pc++]; break;
      case POP: m->sp--; break;
      case DUP: m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; break;
      case SWAP: a = m->stack[m->sp - 1]; m->stack[m->sp - 1] = m->stack[m->sp - 2]; m->stack[m->sp - 2] = a; break;
      case OVER: m->stack[m->sp] = m->stack[m->sp - 2]; m->sp++; break;
      case ADD: b = m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] + (uint32_t)b); break;
      case SUB: b = m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] - (uint32_t)b); break;
      case MUL: b = m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] * (uint32_t)b); break;
      case DIV: b = m->stack[--m->sp]; if (b == 0) return -2; m->stack[m->sp - 1] /= b; break;
      case MOD: b = m->stack[--m->sp]; if (b == 0) return -2; m->stack[m->sp - 1] %= b; break;
      case LT: b = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] < b; break;
      case EQ: b = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] == b; break;
      case NOT: m->stack[m->sp - 1] = !m->stack[m->sp - 1]; break;
      case JMP: pc = code[pc]; break;
      case JZ: a = m->stack[--m->sp]; pc = a == 0 ? code[pc] : pc + 1; break;
      case JNZ: a = m->stack[--m->sp]; pc = a != 0 ? code[pc] : pc + 1; break;
      case LOAD: m->stack[m->sp++] = m->locals[code[pc++] & 15]; break;
      case STORE: m->locals[code[pc++] & 15] = m->stack[--m->sp]; break;
      case CALL: m->rstack[m->rsp++] = pc + 1; pc = code[pc]; break;
      case RET: pc = m->rstack[--m->rsp]; break;
      case PRINT: m->last = m->stack[--m->sp]; rvr_printf("  out %d\n", m->last); break;
      case NOP: break;
      default: return -3;
    }
    if (m->sp < 0 || m->sp > 250 || m->rsp < 0 || m->rsp > 60) return -4;
  }
}

struct label { char name[16]; int32_t addr; };

/* Two passes: the first records label addresses, the second emits code. Returns the length or
 * a negative error. */
static int assemble(const char *t, int32_t *code, int cap) {
  struct label labels[64];
  int nlabels = 0;
  int len = 0;
  for (int pass = 0; pass < 2; pass++) {
    len = 0;
    const char *p = t;
    for (;;) {
      while (*p == ' ' || *p == '\n' || *p == '\t' || *p == ';') p++;
      if (!*p) break;
      const char *s = p;
      while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != ';') p++;
      char w[16];
      size_t k = (size_t)(p - s) < 15 ? (size_t)(p - s) : 15;
      memcpy(w, s, k);
      w[k] = 0;
      if (k > 1 && w[k - 1] == ':') {
        if (pass == 0) {
          if (nlabels == 64) return -10;
          w[k - 1] = 0;
          memcpy(labels[nlabels].name, w, k);
          labels[nlabels++].addr = len;
        }
        continue;
      }
      if (len >= cap) return -11;
      int32_t v;
      if (w[0] == '@') {
        v = -1;
        for (int i = 0; i < nlabels; i++)
          if (strcmp(labels[i].name, w + 1) == 0) v = labels[i].addr;
        if (pass == 1 && v < 0) return -12;
      } else if ((w[0] >= '0' && w[0] <= '9') || w[0] == '-') {
        const char *q = w + (w[0] == '-');
        v = (int32_t)rvr_parse_u64(&q, 0);
        if (w[0] == '-') v = -v;
      } else {
        v = -1;
        for (int op = 0; op < NOPS; op++)
          if (strcmp(w, names[op]) == 0) v = op;
        if (v < 0) return -13;
      }
      code[len++] = v;
    }
  }
  return len;
}

static const char *const programs[][2] = {
    {"factorials",
     "push 1 store 0\n"
     "outer: push 1 store 1 load 0 store 2\n"
     "inner: load 2 jz @done load 1 load 2 mul store 1 load 2 push 1 sub store 2 jmp @inner\n"
     "done: load 1 print load 0 push 1 add dup store 0 push 13 lt jnz @outer halt\n"},
    {"fibonacci",
     "push 0 store 0 push 1 store 1 push 0 store 2\n"
     "loop: load 2 push 5 mod jnz @skip load 0 print\n"
     "skip: load 0 load 1 add load 1 store 0 store 1\n"
     "      load 2 push 1 add dup store 2 push 46 lt jnz @loop halt\n"},
    {"gcd",
     "push 1071 push 462 call @gcd print\n"
     "push 270 push 192 call @gcd print\n"
     "push 17 push 5 call @gcd print\n"
     "push 1836311903 push 1134903170 call @gcd print halt\n"
     "gcd: dup jz @end swap over mod jmp @gcd\n"
     "end: pop ret\n"},
    {"collatz",
     "push 1 store 0 push 0 store 3\n"
     "next: load 0 store 1 push 0 store 2\n"
     "step: load 1 push 1 eq jnz @chain\n"
     "      load 2 push 1 add store 2\n"
     "      load 1 push 2 mod jz @even\n"
     "      load 1 push 3 mul push 1 add store 1 jmp @step\n"
     "even: load 1 push 2 div store 1 jmp @step\n"
     "chain: load 3 load 2 lt jz @more load 2 store 3 load 0 store 4\n"
     "more: load 0 push 1 add dup store 0 push 300 lt jnz @next\n"
     "      load 4 print load 3 print halt\n"},
};

int main(void) {
  static struct vm m;
  static int32_t code[1024];
  for (unsigned i = 0; i < sizeof programs / sizeof programs[0]; i++) {
    int len = assemble(programs[i][1], code, 1024);
    rvr_printf("%s: %d words\n", programs[i][0], len);
    int st = run(&m, code, len);
    rvr_printf(" status %d steps %u\n", st, m.steps);
  }
  size_t n;
  char *src = rvr_read_all_alloc(&n);
  int len = assemble(src, code, 1024);
  rvr_printf("input program: %d words\n", len);
  m.last = 0;
  int st = len > 0 ? run(&m, code, len) : -5;
  rvr_printf(" status %d steps %u\n", st, m.steps);
  free(src);
  return m.last & 255;
}
