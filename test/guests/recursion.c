/* recursion: naive Fibonacci, Ackermann for small arguments, Tower of Hanoi (moves listed for
 * n=4, counted for n=16), mutual recursion (even/odd) and the McCarthy 91 function.
 * Exit code: fib(10) = 55. */
#include "rvr_guest.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static uint32_t hanoi_moves;
static void hanoi(int n, char from, char to, char via, int print) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to, print);
  hanoi_moves++;
  if (print) rvr_printf("  move disk %d %c -> %c\n", n, from, to);
  hanoi(n - 1, via, to, from, print);
}

static int is_odd(uint32_t n);
static __attribute__((noinline)) int is_even(uint32_t n) { return n == 0 ? 1 : is_odd(n - 1); }
static __attribute__((noinline)) int is_odd(uint32_t n) { return n == 0 ? 0 : is_even(n - 1); }

static int32_t mc91(int32_t n) { return n > 100 ? n - 10 : mc91(mc91(n + 11)); }

/* Number of compositions of n into parts 1..3, by plain recursion. */
static uint32_t tribo_ways(int n) {
  if (n < 0) return 0;
  if (n == 0) return 1;
  return tribo_ways(n - 1) + tribo_ways(n - 2) + tribo_ways(n - 3);
}

int main(void) {
  for (uint32_t i = 0; i <= 24; i += 3) rvr_printf("fib(%u) = %u\n", i, fib(i));
  for (uint32_t m = 0; m <= 3; m++) {
    rvr_printf("ack(%u, n):", m);
    for (uint32_t n = 0; n <= (m == 3 ? 5u : 6u); n++) rvr_printf(" %u", ack(m, n));
    rvr_print("\n");
  }
  rvr_print("hanoi(4):\n");
  hanoi(4, 'A', 'C', 'B', 1);
  rvr_printf("hanoi(4) moves = %u\n", hanoi_moves);
  hanoi_moves = 0;
  hanoi(16, 'A', 'C', 'B', 0);
  rvr_printf("hanoi(16) moves = %u\n", hanoi_moves);
  rvr_printf("even(1001)=%d odd(1001)=%d even(20000)=%d\n", is_even(1001), is_odd(1001), is_even(20000));
  rvr_printf("mc91:");
  for (int32_t n = 85; n <= 105; n += 4) rvr_printf(" %d", mc91(n));
  rvr_print("\n");
  rvr_printf("tribo_ways(20) = %u\n", tribo_ways(20));
  return (int)fib(10);
}
