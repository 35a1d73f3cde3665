/* bench list_fsm: pointer chasing through a shuffled doubly linked list of 4096 heap nodes,
 * each running a small state machine on every visit; every pass also unlinks and re-inserts
 * some nodes elsewhere. Input: optional scale = passes / 16; default 1000. */
#include "rvr_guest.h"

#define NODES 4096
#define DEFAULT_SCALE 1000u

enum { IDLE, COUNTING, ALERT, COOLDOWN, DONE };

struct node {
  struct node *next, *prev;
  uint32_t value;
  uint8_t state;
  uint8_t ticks;
  uint16_t alerts;
};

static uint32_t rng = 12345u;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  struct node **pool = (struct node **)malloc(NODES * sizeof *pool);
  for (int i = 0; i < NODES; i++) {
    pool[i] = (struct node *)malloc(sizeof(struct node));
    pool[i]->value = rnd();
    pool[i]->state = IDLE;
    pool[i]->ticks = 0;
    pool[i]->alerts = 0;
  }
  /* shuffle so list order differs from allocation order */
  for (int i = NODES - 1; i > 0; i--) {
    int j = (int)(rnd() % (uint32_t)(i + 1));
    struct node *t = pool[i]; pool[i] = pool[j]; pool[j] = t;
  }
  struct node head;
  head.next = head.prev = &head;
  for (int i = 0; i < NODES; i++) {
    struct node *n = pool[i];
    n->prev = head.prev; n->next = &head;
    head.prev->next = n; head.prev = n;
  }
  uint64_t events = 0;
  uint64_t passes = scale * 16;
  for (uint64_t p = 0; p < passes; p++) {
    for (struct node *n = head.next; n != &head; n = n->next) {
      uint32_t v = n->value * 1664525u + 1013904223u;
      n->value = v;
      switch (n->state) {
        case IDLE: if ((v >> 28) == 0) { n->state = COUNTING; n->ticks = 0; } break;
        case COUNTING:
          n->ticks++;
          if ((v & 0xff) < 16) { n->state = ALERT; n->alerts++; events++; }
          else if (n->ticks > 20) n->state = IDLE;
          break;
        case ALERT: n->state = (v & 1) ? COOLDOWN : DONE; events += 2; break;
        case COOLDOWN: if (++n->ticks > 40) n->state = IDLE; break;
        case DONE: n->state = IDLE; n->value ^= (uint32_t)p; break;
      }
    }
    /* move 8 random nodes to the front */
    for (int k = 0; k < 8; k++) {
      struct node *n = pool[rnd() % NODES];
      n->prev->next = n->next; n->next->prev = n->prev;
      n->next = head.next; n->prev = &head;
      head.next->prev = n; head.next = n;
    }
  }
  uint64_t h = events;
  uint32_t states[5] = {0};
  for (struct node *n = head.next; n != &head; n = n->next) {
    h = (h ^ n->value ^ ((uint64_t)n->alerts << 32)) * 0x100000001b3ull;
    states[n->state]++;
  }
  rvr_printf("list_fsm scale %llu events %llu states %u/%u/%u/%u/%u checksum %016llx\n",
             (unsigned long long)scale, (unsigned long long)events, states[0], states[1], states[2], states[3],
             states[4], (unsigned long long)h);
  return 0;
}
