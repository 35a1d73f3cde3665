/* brk: the program break used directly — query it, grow it with sbrk in several steps, write
 * the new memory (fresh memory reads as zero), shrink it back, and check that an absurd request
 * fails and leaves the break unchanged. Prints only layout-independent facts. Exit code 5. */
#include "rvr_guest.h"

int main(void) {
  uintptr_t b0 = (uintptr_t)rvr_brk(0);
  rvr_printf("initial break nonzero: %d, 16-byte aligned: %d\n", b0 != 0, (b0 & 15) == 0);
  uintptr_t again = (uintptr_t)rvr_brk(0);
  rvr_printf("query is stable: %d\n", again == b0);

  uint8_t *p = (uint8_t *)rvr_sbrk(3 * 4096);
  rvr_printf("sbrk(12288) returned old break: %d\n", (uintptr_t)p == b0);
  rvr_printf("break moved by 12288: %d\n", (uintptr_t)rvr_brk(0) == b0 + 3 * 4096);
  int zero = 1;
  for (int i = 0; i < 3 * 4096; i++) zero &= p[i] == 0;
  rvr_printf("fresh memory is zero: %d\n", zero);
  uint32_t sum = 0;
  for (int i = 0; i < 3 * 4096; i++) p[i] = (uint8_t)(i * 7);
  for (int i = 0; i < 3 * 4096; i++) sum += p[i];
  rvr_printf("wrote and summed: %u\n", sum);

  /* grow in odd-sized steps */
  uintptr_t cur = (uintptr_t)rvr_brk(0);
  for (int i = 1; i <= 5; i++) {
    uint8_t *q = (uint8_t *)rvr_sbrk(1000 * i + 3);
    if ((uintptr_t)q != cur) rvr_printf("step %d: wrong old break\n", i);
    q[1000 * i + 2] = (uint8_t)i; /* last byte of the new area is writable */
    cur += (uintptr_t)(1000 * i + 3);
  }
  rvr_printf("after 5 steps the break grew by %u\n", (unsigned)((uintptr_t)rvr_brk(0) - b0));

  /* shrink back to the start */
  void *r = rvr_brk((void *)b0);
  rvr_printf("shrink to initial break: %d\n", (uintptr_t)r == b0);

  /* A request no arena can satisfy fails and leaves the break alone: on RV32 the top page of
   * the address space (where the stack lives), on RV64 a terabyte above the break. */
  uintptr_t huge = sizeof(uintptr_t) == 8 ? b0 + ((uintptr_t)1 << 40) : (uintptr_t)0xfffff000u;
  void *h = rvr_brk((void *)huge);
  rvr_printf("huge brk refused: %d, break unchanged: %d\n", (uintptr_t)h != huge, (uintptr_t)rvr_brk(0) == b0);
  void *s = rvr_sbrk((intptr_t)(huge - b0));
  rvr_printf("huge sbrk returns -1: %d, break unchanged: %d\n", s == (void *)-1, (uintptr_t)rvr_brk(0) == b0);

  /* malloc still works afterwards */
  char *m = (char *)malloc(100000);
  memset(m, 'x', 100000);
  rvr_printf("malloc after brk games: %d\n", m != NULL && m[99999] == 'x');
  return 5;
}
