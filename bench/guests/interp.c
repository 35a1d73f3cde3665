/* bench interp: a register-machine bytecode interpreter (switch dispatch) running a nested-loop
 * program that mixes arithmetic, memory and branches: 100 outer x 100 inner iterations (about
 * 110000 interpreted instructions) per unit of scale. Input: optional scale; default 2500. */
#include "rvr_guest.h"

#define DEFAULT_SCALE 2500u

enum { LI, ADD, ADDI, SUB, MUL, XOR, SHR, AND, LD, ST, BLT, BNE, JMP, HALT };
struct insn { uint8_t op, rd, rs1, rs2; int32_t imm; };

static uint32_t run(const struct insn *code, uint32_t *reg, uint32_t *mem) {
  const struct insn *pc = code;
  for (;;) {
    const struct insn *i = pc++;
    switch (i->op) {
      case LI: reg[i->rd] = (uint32_t)i->imm; break;
      case ADD: reg[i->rd] = reg[i->rs1] + reg[i->rs2]; break;
      case ADDI: reg[i->rd] = reg[i->rs1] + (uint32_t)i->imm; break;
      case SUB: reg[i->rd] = reg[i->rs1] - reg[i->rs2]; break;
      case MUL: reg[i->rd] = reg[i->rs1] * reg[i->rs2]; break;
      case XOR: reg[i->rd] = reg[i->rs1] ^ reg[i->rs2]; break;
      case SHR: reg[i->rd] = reg[i->rs1] >> (i->imm & 31); break;
      case AND: reg[i->rd] = reg[i->rs1] & (uint32_t)i->imm; break;
      case LD: reg[i->rd] = mem[reg[i->rs1] & 1023]; break;
      case ST: mem[reg[i->rs1] & 1023] = reg[i->rs2]; break;
      case BLT: if (reg[i->rs1] < reg[i->rs2]) pc = code + i->imm; break;
      case BNE: if (reg[i->rs1] != reg[i->rs2]) pc = code + i->imm; break;
      case JMP: pc = code + i->imm; break;
      case HALT: return reg[1];
    }
  }
}

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  /* r1 acc, r2 i, r3 outer limit, r4 j, r5 inner limit (100), r6 tmp, r7 tmp, r8 const */
  const struct insn prog[] = {
      {LI, 1, 0, 0, 1},            /* 0 acc = 1 */
      {LI, 2, 0, 0, 0},            /* 1 i = 0 */
      {LI, 5, 0, 0, 100},          /* 2 inner limit */
      {LI, 8, 0, 0, 2654435761u},  /* 3 multiplier */
      {LI, 4, 0, 0, 0},            /* 4 outer: j = 0 */
      {MUL, 6, 1, 8, 0},           /* 5 inner: t = acc * K */
      {SHR, 7, 6, 0, 13},          /* 6 */
      {XOR, 1, 6, 7, 0},           /* 7 acc = t ^ (t >> 13) */
      {ADD, 6, 2, 4, 0},           /* 8 addr = i + j */
      {LD, 7, 6, 0, 0},            /* 9 v = mem[addr] */
      {ADD, 7, 7, 1, 0},           /* 10 v += acc */
      {ST, 0, 6, 7, 0},            /* 11 mem[addr] = v */
      {AND, 6, 7, 0, 1},           /* 12 */
      {ADD, 1, 1, 6, 0},           /* 13 acc += v & 1 */
      {ADDI, 4, 4, 0, 1},          /* 14 j++ */
      {BLT, 0, 4, 5, 5},           /* 15 if j < 100 goto inner */
      {ADDI, 2, 2, 0, 1},          /* 16 i++ */
      {BLT, 0, 2, 3, 4},           /* 17 if i < outer goto outer */
      {HALT, 0, 0, 0, 0},
  };
  static uint32_t mem[1024];
  uint32_t reg[16] = {0};
  reg[3] = (uint32_t)(scale * 100u);
  uint32_t acc = run(prog, reg, mem);
  uint64_t h = acc;
  for (int i = 0; i < 1024; i++) h = (h ^ mem[i]) * 0x100000001b3ull;
  rvr_printf("interp scale %llu acc %08x checksum %016llx\n", (unsigned long long)scale, acc, (unsigned long long)h);
  return 0;
}
