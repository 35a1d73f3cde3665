/* big_stack: a 1 MiB local array filled and summed, a 100000-frame non-tail recursion whose frames
 * are linked through pointers to locals (so the compiler cannot turn it into a loop), and
 * alloca-like variable-length arrays. Exit code 17. */
#include "rvr_guest.h"

struct frame {
  const struct frame *parent;
  uint32_t value;
};

/* Each call keeps a frame on the stack and walks a few parents, so every frame is live. */
static __attribute__((noinline)) uint32_t deep(uint32_t n, const struct frame *parent) {
  struct frame here;
  here.parent = parent;
  here.value = n * 2654435761u;
  if (n == 0) {
    uint32_t h = 0, depth = 0;
    for (const struct frame *f = &here; f != NULL; f = f->parent) {
      h = (h ^ f->value) * 16777619u;
      depth++;
    }
    return h ^ depth;
  }
  uint32_t r = deep(n - 1, &here);
  return r + (here.value >> 28);
}

static __attribute__((noinline)) uint64_t big_local(uint32_t seed, uint32_t stride) {
  volatile uint8_t big[1 << 20];
  for (uint32_t i = 0; i < sizeof big; i += stride) big[i] = (uint8_t)(i * seed >> 7);
  big[sizeof big - 1] = (uint8_t)seed;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < sizeof big; i += 4096 * stride) sum += big[i] * (uint64_t)i;
  return sum + big[sizeof big - 1];
}

static __attribute__((noinline)) uint32_t vla(uint32_t n) {
  uint32_t a[n];
  for (uint32_t i = 0; i < n; i++) a[i] = i * i;
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i += 3) s += a[i];
  return s;
}

int main(void) {
  rvr_printf("big_local(3, 1) = %llu\n", (unsigned long long)big_local(3, 1));
  rvr_printf("big_local(77, 16) = %llu\n", (unsigned long long)big_local(77, 16));
  rvr_printf("deep(10) = %08x\n", deep(10, NULL));
  rvr_printf("deep(1000) = %08x\n", deep(1000, NULL));
  rvr_printf("deep(100000) = %08x\n", deep(100000, NULL));
  rvr_printf("vla(1000) = %u vla(50000) = %u\n", vla(1000), vla(50000));
  return 17;
}
