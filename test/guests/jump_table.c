/* jump_table: a dense switch with many cases (GCC compiles it to a jump table: an indirect
 * jump through a table of addresses in .rodata, checked with objdump) driven by generated opcodes,
 * and a second dense switch on characters that classifies the input (GCC turns that one into a
 * table of string pointers). Exit code 42. */
#include "rvr_guest.h"

static __attribute__((noinline)) uint32_t step(uint32_t op, uint32_t acc, uint32_t x) {
  switch (op) {
    case 0: return acc + x;
    case 1: return acc - x;
    case 2: return acc * (x | 1);
    case 3: return acc ^ x;
    case 4: return acc | (x << 3);
    case 5: return acc & ~x;
    case 6: return (acc << (x & 7)) | (acc >> (32 - (x & 7)) >> 0);
    case 7: return acc >> (x & 15);
    case 8: return acc + 0x9e3779b9u;
    case 9: return ~acc;
    case 10: return acc * 3 + 1;
    case 11: return acc / ((x & 255) + 1);
    case 12: return acc % ((x & 1023) + 7);
    case 13: return acc - (acc >> 2);
    case 14: return (acc & 0xffff) * (acc >> 16);
    case 15: return acc + x * x;
    case 16: return acc ^ (acc >> 7);
    case 17: return acc ^ (acc << 9);
    case 18: return acc + 12345;
    case 19: return acc - 54321;
    default: return acc ^ op;
  }
}

static __attribute__((noinline)) const char *classify(int c) {
  switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return "vowel";
    case 'b': case 'c': case 'd': case 'f': case 'g': case 'h': case 'j': case 'k': case 'l':
    case 'm': case 'n': case 'p': case 'q': case 'r': case 's': case 't': case 'v': case 'w':
    case 'x': case 'y': case 'z': return "consonant";
    case '0': case '1': case '2': case '3': case '4': return "low-digit";
    case '5': case '6': case '7': case '8': case '9': return "high-digit";
    case ' ': return "space";
    case '.': case ',': case ';': case ':': return "punct";
    default: return "other";
  }
}

int main(void) {
  uint32_t acc = 1, seed = 7;
  uint32_t counts[21] = {0};
  for (int i = 0; i < 5000; i++) {
    seed = seed * 1664525u + 1013904223u;
    uint32_t op = (seed >> 24) % 21;
    counts[op]++;
    acc = step(op, acc, seed >> 8);
    if (i % 1000 == 999) rvr_printf("after %4d steps acc=%08x\n", i + 1, acc);
  }
  rvr_print("op counts:");
  for (int i = 0; i < 21; i++) rvr_printf(" %u", counts[i]);
  rvr_print("\n");
  char in[256];
  size_t n = rvr_read_all(in, sizeof in);
  const char *prev = "";
  int run = 0;
  for (size_t i = 0; i <= n; i++) {
    const char *k = i < n ? classify((unsigned char)in[i]) : "";
    if (i > 0 && strcmp(k, prev) != 0) {
      rvr_printf("%s x%d\n", prev, run);
      run = 0;
    }
    prev = k;
    run++;
  }
  return 42;
}
