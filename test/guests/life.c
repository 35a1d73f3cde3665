/* life: Conway's Game of Life on a 40x20 torus seeded with a glider, an R-pentomino, a blinker
 * and a block (plus cells toggled from the input); prints the board at chosen generations and
 * the population every 10 generations. Exit code: final population modulo 256. */
#include "rvr_guest.h"

#define W 40
#define H 20

static uint8_t grid[2][H][W];

static void put(int g, int x, int y) { grid[g][(y + H) % H][(x + W) % W] = 1; }

static void show(int g, int gen) {
  rvr_printf("generation %d:\n", gen);
  char line[W + 2];
  for (int y = 0; y < H; y++) {
    for (int x = 0; x < W; x++) line[x] = grid[g][y][x] ? '#' : '.';
    line[W] = '\n';
    rvr_write_all(RVR_STDOUT, line, W + 1);
  }
}

static int population(int g) {
  int n = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) n += grid[g][y][x];
  return n;
}

static void step(int from) {
  int to = 1 - from;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int n = 0;
      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          if (dx || dy) n += grid[from][(y + dy + H) % H][(x + dx + W) % W];
      grid[to][y][x] = (uint8_t)(n == 3 || (n == 2 && grid[from][y][x]));
    }
}

int main(void) {
  /* glider */
  put(0, 1, 0); put(0, 2, 1); put(0, 0, 2); put(0, 1, 2); put(0, 2, 2);
  /* R-pentomino */
  put(0, 21, 9); put(0, 22, 9); put(0, 20, 10); put(0, 21, 10); put(0, 21, 11);
  /* blinker and block */
  put(0, 33, 3); put(0, 34, 3); put(0, 35, 3);
  put(0, 5, 15); put(0, 6, 15); put(0, 5, 16); put(0, 6, 16);
  /* input: pairs "x,y" toggle cells */
  char in[512];
  size_t n = rvr_read_all(in, sizeof in - 1);
  in[n] = 0;
  const char *p = in;
  for (;;) {
    uint64_t x = rvr_parse_u64(&p, 1000);
    if (x == 1000 || *p != ',') break;
    p++;
    uint64_t y = rvr_parse_u64(&p, 1000);
    if (y == 1000) break;
    grid[0][y % H][x % W] ^= 1;
  }
  int g = 0;
  show(g, 0);
  for (int gen = 1; gen <= 120; gen++) {
    step(g);
    g = 1 - g;
    if (gen % 10 == 0) rvr_printf("gen %3d population %d\n", gen, population(g));
    if (gen == 4 || gen == 60 || gen == 120) show(g, gen);
  }
  int pop = population(g);
  rvr_fprintf(RVR_STDERR, "final population %d\n", pop);
  return pop % 256;
}
