/* hello: the smallest differential guest — one line on each output stream and a fixed exit code. */
#include "rvr_guest.h"

static const char public_msg[] = "public: hello from the guest\n";

int main(void) {
  rvr_println("Hello, world!");
  rvr_fprint(RVR_STDERR, "hello on stderr\n");
  rvr_public_output(public_msg, sizeof public_msg - 1);
  rvr_printf("%d %u %x %s %c|%5d|%-5d|%05d|\n", -42, 42u, 0xbeefu, "str", 'z', 7, 7, -7);
  return 7;
}
