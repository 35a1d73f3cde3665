/* transform: reads stdin line by line and echoes each line transformed — numbered, upper-cased,
 * ROT13, with runs of spaces squeezed and the byte sum — and writes per-line statistics to
 * stderr. Reads through a small buffer in pieces to exercise partial reads.
 * Exit code: the number of lines. */
#include "rvr_guest.h"

static char line[1024];
static size_t line_len;
static int lines;

static char rot13(char c) {
  if (c >= 'a' && c <= 'z') return (char)('a' + (c - 'a' + 13) % 26);
  if (c >= 'A' && c <= 'Z') return (char)('A' + (c - 'A' + 13) % 26);
  return c;
}

static void flush_line(void) {
  lines++;
  char upper[1024], rot[1024], squeezed[1024];
  size_t sq = 0;
  uint32_t sum = 0;
  int words = 0, in_word = 0;
  for (size_t i = 0; i < line_len; i++) {
    char c = line[i];
    upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    rot[i] = rot13(c);
    if (!(c == ' ' && sq > 0 && squeezed[sq - 1] == ' ')) squeezed[sq++] = c;
    sum += (uint8_t)c;
    if (c != ' ' && !in_word) words++;
    in_word = c != ' ';
  }
  upper[line_len] = rot[line_len] = squeezed[sq] = 0;
  rvr_printf("%3d| %s\n   | %s\n   | %s\n", lines, upper, rot, squeezed);
  rvr_fprintf(RVR_STDERR, "line %d: %u bytes, %d words, sum %u\n", lines, (unsigned)line_len, words, sum);
  line_len = 0;
}

int main(void) {
  char buf[7]; /* deliberately tiny */
  uint32_t total = 0;
  for (;;) {
    long r = rvr_read(RVR_STDIN, buf, sizeof buf);
    if (r < 0) return 200;
    if (r == 0) break;
    total += (uint32_t)r;
    for (long i = 0; i < r; i++) {
      if (buf[i] == '\n') flush_line();
      else if (line_len < sizeof line - 1) line[line_len++] = buf[i];
    }
  }
  if (line_len > 0) flush_line();
  rvr_printf("total %u bytes in %d lines\n", total, lines);
  /* Reading again at end of input keeps returning 0. */
  rvr_printf("read after EOF -> %ld\n", rvr_read(RVR_STDIN, buf, sizeof buf));
  return lines;
}
