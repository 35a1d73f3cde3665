/* exit_nested: exits from deep inside nested calls with rvr_exit(123) after writing to all three
 * output streams; main's own return value (1) must never be used, and nothing after the exit
 * is printed. Exit code 123. */
#include "rvr_guest.h"

static __attribute__((noinline)) void level(int depth) {
  if (depth == 0) {
    rvr_fprint(RVR_STDERR, "exiting from depth 0\n");
    rvr_public_output("bye\n", 4);
    rvr_exit(123);
  }
  rvr_printf("entering depth %d\n", depth);
  level(depth - 1);
  rvr_printf("never printed %d\n", depth);
}

int main(void) {
  level(5);
  rvr_print("main continues (wrong)\n");
  return 1;
}
