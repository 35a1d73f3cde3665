/* strings: reads lines from stdin; reverses each, detects palindromes (ignoring case and
 * non-letters), tokenises on whitespace and punctuation, and reports the longest token.
 * Exit code: the number of palindromic lines. */
#include "rvr_guest.h"

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static void reverse(char *s, size_t n) {
  for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
    char t = s[i];
    s[i] = s[j - 1];
    s[j - 1] = t;
  }
}

static int palindrome(const char *s, size_t n) {
  size_t i = 0, j = n;
  int letters = 0;
  while (i < j) {
    if (!is_alnum((unsigned char)s[i])) { i++; continue; }
    if (!is_alnum((unsigned char)s[j - 1])) { j--; continue; }
    if (lower((unsigned char)s[i]) != lower((unsigned char)s[j - 1])) return 0;
    letters++;
    i++;
    j--;
  }
  return letters > 0;
}

int main(void) {
  size_t len;
  char *text = rvr_read_all_alloc(&len);
  if (!text) return 100;
  int palindromes = 0, lines = 0, tokens = 0;
  char longest[64] = "";
  size_t longest_len = 0;
  size_t start = 0;
  while (start < len) {
    size_t end = start;
    while (end < len && text[end] != '\n') end++;
    char line[256];
    size_t n = end - start;
    if (n > sizeof line - 1) n = sizeof line - 1;
    memcpy(line, text + start, n);
    line[n] = 0;
    lines++;
    int pal = palindrome(line, n);
    palindromes += pal;
    char rev[256];
    memcpy(rev, line, n + 1);
    reverse(rev, n);
    rvr_printf("%2d [%s] rev=[%s]%s\n", lines, line, rev, pal ? " palindrome" : "");
    /* Tokenise */
    size_t i = 0;
    int line_tokens = 0;
    rvr_print("   tokens:");
    while (i < n) {
      while (i < n && !is_alnum((unsigned char)line[i])) i++;
      size_t t0 = i;
      while (i < n && (is_alnum((unsigned char)line[i]) || line[i] == '\'')) i++;
      if (i > t0) {
        line_tokens++;
        rvr_printf(" <%.*s>", (int)(i - t0), line + t0);
        if (i - t0 > longest_len && i - t0 < sizeof longest) {
          longest_len = i - t0;
          memcpy(longest, line + t0, longest_len);
          longest[longest_len] = 0;
        }
      }
    }
    rvr_printf(" (%d)\n", line_tokens);
    tokens += line_tokens;
    start = end + 1;
  }
  rvr_printf("lines=%d tokens=%d palindromes=%d longest=%s (%u chars)\n", lines, tokens,
             palindromes, longest, (unsigned)longest_len);
  rvr_fprintf(RVR_STDERR, "strings: %u bytes read\n", (unsigned)len);
  free(text);
  return palindromes;
}
