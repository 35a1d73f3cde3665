/*
 * Portable part of the guest SDK: output/formatting/input helpers, and (on the guest only) a
 * brk-based allocator and the mem and string functions the compiler may call.
 *
 * Natively (RVR_NATIVE, see bench/native/rvr_native.c) the allocator and mem/string functions
 * come from libc and only the helpers below are compiled.
 */
#include "rvr_guest.h"

#if defined(__GNUC__) && !defined(__clang__)
/* Keep GCC from turning the byte loops of memset/memcpy into calls to themselves. */
#define RVR_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define RVR_NO_LIBCALLS
#endif

/* ------------------------------------------------------------------ output helpers */

long rvr_write_all(int fd, const void *buf, size_t n) {
  const char *p = (const char *)buf;
  size_t done = 0;
  while (done < n) {
    long r = rvr_write(fd, p + done, n - done);
    if (r < 0) return r;
    if (r == 0) break;
    done += (size_t)r;
  }
  return (long)done;
}

static size_t rvr_strlen_local(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void rvr_fprint(int fd, const char *s) { rvr_write_all(fd, s, rvr_strlen_local(s)); }
void rvr_print(const char *s) { rvr_fprint(RVR_STDOUT, s); }

void rvr_println(const char *s) {
  rvr_print(s);
  rvr_putchar('\n');
}

void rvr_putchar(int c) {
  char ch = (char)c;
  rvr_write_all(RVR_STDOUT, &ch, 1);
}

size_t rvr_fmt_u64(char *buf, uint64_t v) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0);
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
  return n;
}

size_t rvr_fmt_i64(char *buf, int64_t v) {
  if (v < 0) {
    buf[0] = '-';
    return 1 + rvr_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
  }
  return rvr_fmt_u64(buf, (uint64_t)v);
}

size_t rvr_fmt_hex(char *buf, uint64_t v, int min_digits) {
  static const char digits[] = "0123456789abcdef";
  char tmp[16];
  size_t n = 0;
  do {
    tmp[n++] = digits[v & 15u];
    v >>= 4;
  } while (v != 0);
  while ((int)n < min_digits && n < 16) tmp[n++] = '0';
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
  return n;
}

void rvr_fprint_u64(int fd, uint64_t v) {
  char buf[24];
  rvr_write_all(fd, buf, rvr_fmt_u64(buf, v));
}

void rvr_fprint_i64(int fd, int64_t v) {
  char buf[24];
  rvr_write_all(fd, buf, rvr_fmt_i64(buf, v));
}

void rvr_fprint_hex(int fd, uint64_t v) {
  char buf[20];
  rvr_write_all(fd, buf, rvr_fmt_hex(buf, v, 1));
}

void rvr_print_u64(uint64_t v) { rvr_fprint_u64(RVR_STDOUT, v); }
void rvr_print_i64(int64_t v) { rvr_fprint_i64(RVR_STDOUT, v); }
void rvr_print_hex(uint64_t v) { rvr_fprint_hex(RVR_STDOUT, v); }

void rvr_print_hex_width(uint64_t v, int digits) {
  char buf[20];
  rvr_write_all(RVR_STDOUT, buf, rvr_fmt_hex(buf, v, digits));
}

/* ------------------------------------------------------------------ printf */

struct rvr_sink {
  char *buf;
  size_t cap;   /* usable bytes in buf (snprintf: cap - 1, room for the NUL) */
  size_t len;   /* bytes currently in buf */
  size_t total; /* bytes produced overall */
  int fd;       /* >= 0: flush to fd when full; < 0: truncate */
};

static void sink_flush(struct rvr_sink *s) {
  if (s->fd >= 0 && s->len > 0) {
    rvr_write_all(s->fd, s->buf, s->len);
    s->len = 0;
  }
}

static void sink_put(struct rvr_sink *s, char c) {
  s->total++;
  if (s->len == s->cap) {
    if (s->fd < 0) return;
    sink_flush(s);
  }
  if (s->len < s->cap) s->buf[s->len++] = c;
}

static void sink_pad(struct rvr_sink *s, char c, int n) {
  while (n-- > 0) sink_put(s, c);
}

static void rvr_format(struct rvr_sink *s, const char *fmt, va_list ap) {
  while (*fmt) {
    char c = *fmt++;
    if (c != '%') {
      sink_put(s, c);
      continue;
    }
    int left = 0, zero = 0, plus = 0, space = 0, alt = 0;
    for (;;) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '#') alt = 1;
      else if (*fmt == '0') zero = 1;
      else if (*fmt == '+') plus = 1;
      else if (*fmt == ' ') space = 1;
      else break;
      fmt++;
    }
    int width = 0;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        left = 1;
        width = -width;
      }
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    int prec = -1;
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      if (*fmt == '*') {
        prec = va_arg(ap, int);
        if (prec < 0) prec = -1;
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
      }
    }
    /* Length: 0 int, 1 long, 2 long long, 3 size_t, 4 intmax_t, 5 ptrdiff_t, -1 short, -2 char */
    int lenmod = 0;
    if (*fmt == 'l') {
      fmt++;
      lenmod = 1;
      if (*fmt == 'l') {
        fmt++;
        lenmod = 2;
      }
    } else if (*fmt == 'h') {
      fmt++;
      lenmod = -1;
      if (*fmt == 'h') {
        fmt++;
        lenmod = -2;
      }
    } else if (*fmt == 'z') {
      fmt++;
      lenmod = 3;
    } else if (*fmt == 'j') {
      fmt++;
      lenmod = 4;
    } else if (*fmt == 't') {
      fmt++;
      lenmod = 5;
    }
    char conv = *fmt;
    if (conv == 0) break;
    fmt++;

    if (conv == '%') {
      sink_put(s, '%');
      continue;
    }
    if (conv == 'c') {
      char ch = (char)va_arg(ap, int);
      if (!left) sink_pad(s, ' ', width - 1);
      sink_put(s, ch);
      if (left) sink_pad(s, ' ', width - 1);
      continue;
    }
    if (conv == 's') {
      const char *str = va_arg(ap, const char *);
      if (str == NULL) str = "(null)";
      int n = 0;
      while (str[n] && (prec < 0 || n < prec)) n++;
      if (!left) sink_pad(s, ' ', width - n);
      for (int i = 0; i < n; i++) sink_put(s, str[i]);
      if (left) sink_pad(s, ' ', width - n);
      continue;
    }

    uint64_t mag = 0;
    int negative = 0;
    unsigned base = 10;
    int upper = 0;
    const char *prefix = "";
    if (conv == 'd' || conv == 'i') {
      int64_t v;
      switch (lenmod) {
        case 1: v = va_arg(ap, long); break;
        case 2: v = va_arg(ap, long long); break;
        case 3: v = (int64_t)va_arg(ap, size_t); break;
        case 4: v = va_arg(ap, intmax_t); break;
        case 5: v = va_arg(ap, ptrdiff_t); break;
        case -1: v = (short)va_arg(ap, int); break;
        case -2: v = (signed char)va_arg(ap, int); break;
        default: v = va_arg(ap, int); break;
      }
      negative = v < 0;
      mag = negative ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
      if (negative) prefix = "-";
      else if (plus) prefix = "+";
      else if (space) prefix = " ";
    } else if (conv == 'u' || conv == 'x' || conv == 'X' || conv == 'o' || conv == 'p') {
      if (conv == 'p') {
        mag = (uint64_t)(uintptr_t)va_arg(ap, void *);
        prefix = "0x";
      } else {
        switch (lenmod) {
          case 1: mag = va_arg(ap, unsigned long); break;
          case 2: mag = va_arg(ap, unsigned long long); break;
          case 3: mag = va_arg(ap, size_t); break;
          case 4: mag = va_arg(ap, uintmax_t); break;
          case 5: mag = (uint64_t)va_arg(ap, ptrdiff_t); break;
          case -1: mag = (unsigned short)va_arg(ap, unsigned int); break;
          case -2: mag = (unsigned char)va_arg(ap, unsigned int); break;
          default: mag = va_arg(ap, unsigned int); break;
        }
      }
      if (conv == 'x' || conv == 'X' || conv == 'p') base = 16;
      if (conv == 'o') base = 8;
      upper = conv == 'X';
      if (alt && mag != 0 && conv == 'x') prefix = "0x";
      if (alt && mag != 0 && conv == 'X') prefix = "0X";
      if (alt && conv == 'o') prefix = "0";
    } else {
      /* Unknown conversion: echo it. */
      sink_put(s, '%');
      sink_put(s, conv);
      continue;
    }

    char digits[24];
    int nd = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (!(mag == 0 && prec == 0)) {
      do {
        digits[nd++] = set[mag % base];
        mag /= base;
      } while (mag != 0);
    }
    int zeros = prec > nd ? prec - nd : 0;
    int plen = (int)rvr_strlen_local(prefix);
    int body = plen + zeros + nd;
    if (zero && !left && prec < 0 && width > body) {
      zeros += width - body;
      body = width;
    }
    if (!left) sink_pad(s, ' ', width - body);
    for (int i = 0; i < plen; i++) sink_put(s, prefix[i]);
    sink_pad(s, '0', zeros);
    while (nd > 0) sink_put(s, digits[--nd]);
    if (left) sink_pad(s, ' ', width - body);
  }
}

int rvr_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) {
  struct rvr_sink s;
  s.buf = buf;
  s.cap = cap > 0 ? cap - 1 : 0;
  s.len = 0;
  s.total = 0;
  s.fd = -1;
  rvr_format(&s, fmt, ap);
  if (cap > 0) buf[s.len] = 0;
  return (int)s.total;
}

int rvr_snprintf(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = rvr_vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}

int rvr_vfprintf(int fd, const char *fmt, va_list ap) {
  char buf[256];
  struct rvr_sink s;
  s.buf = buf;
  s.cap = sizeof buf;
  s.len = 0;
  s.total = 0;
  s.fd = fd;
  rvr_format(&s, fmt, ap);
  sink_flush(&s);
  return (int)s.total;
}

int rvr_fprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = rvr_vfprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}

int rvr_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = rvr_vfprintf(RVR_STDOUT, fmt, ap);
  va_end(ap);
  return n;
}

/* ------------------------------------------------------------------ input helpers */

size_t rvr_read_all(void *buf, size_t cap) {
  char *p = (char *)buf;
  size_t n = 0;
  while (n < cap) {
    long r = rvr_read(RVR_STDIN, p + n, cap - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  return n;
}

char *rvr_read_all_alloc(size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = (char *)malloc(cap);
  if (buf == NULL) return NULL;
  for (;;) {
    if (cap - n < 2) {
      char *bigger = (char *)realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        return NULL;
      }
      buf = bigger;
      cap *= 2;
    }
    long r = rvr_read(RVR_STDIN, buf + n, cap - n - 1);
    if (r <= 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

uint64_t rvr_parse_u64(const char **sp, uint64_t dflt) {
  const char *s = *sp;
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  if (*s < '0' || *s > '9') {
    *sp = s;
    return dflt;
  }
  uint64_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10u + (uint64_t)(*s++ - '0');
  *sp = s;
  return v;
}

uint64_t rvr_read_u64_arg(uint64_t dflt) {
  char buf[64];
  size_t n = rvr_read_all(buf, sizeof buf - 1);
  buf[n] = 0;
  const char *p = buf;
  return rvr_parse_u64(&p, dflt);
}

#ifndef RVR_NATIVE
/* ------------------------------------------------------------------ mem and string functions */

#if defined(__GNUC__)
typedef uintptr_t __attribute__((may_alias)) rvr_word;
#else
typedef uintptr_t rvr_word;
#endif

RVR_NO_LIBCALLS void *memset(void *dst, int c, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  unsigned char b = (unsigned char)c;
  while (n > 0 && ((uintptr_t)d & (sizeof(uintptr_t) - 1)) != 0) {
    *d++ = b;
    n--;
  }
  uintptr_t word = b;
  word |= word << 8;
  word |= word << 16;
#if UINTPTR_MAX > 0xffffffffu
  word |= word << 32;
#endif
  while (n >= sizeof(uintptr_t)) {
    *(rvr_word *)(void *)d = word;
    d += sizeof(uintptr_t);
    n -= sizeof(uintptr_t);
  }
  while (n > 0) {
    *d++ = b;
    n--;
  }
  return dst;
}

RVR_NO_LIBCALLS void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  if ((((uintptr_t)d ^ (uintptr_t)s) & (sizeof(uintptr_t) - 1)) == 0) {
    while (n > 0 && ((uintptr_t)d & (sizeof(uintptr_t) - 1)) != 0) {
      *d++ = *s++;
      n--;
    }
    while (n >= sizeof(uintptr_t)) {
      *(rvr_word *)(void *)d = *(const rvr_word *)(const void *)s;
      d += sizeof(uintptr_t);
      s += sizeof(uintptr_t);
      n -= sizeof(uintptr_t);
    }
  }
  while (n > 0) {
    *d++ = *s++;
    n--;
  }
  return dst;
}

RVR_NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  if (d == s || n == 0) return dst;
  if ((uintptr_t)d - (uintptr_t)s >= n) {
    /* dst is below src or the ranges do not overlap: copy forwards. */
    return memcpy(dst, src, n);
  }
  while (n > 0) {
    n--;
    d[n] = s[n];
  }
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

size_t strlen(const char *s) { return rvr_strlen_local(s); }

int strcmp(const char *a, const char *b) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  while (*x && *x == *y) {
    x++;
    y++;
  }
  return (int)*x - (int)*y;
}

/* ------------------------------------------------------------------ allocator
 *
 * Every block has a 16-byte header holding its capacity (total bytes including the header), so
 * payloads are 16-byte aligned. Blocks up to 64 KiB come in power-of-two classes, each with a
 * singly linked free list; larger blocks are page-rounded and kept on one first-fit list, split
 * when much larger than the request. Memory comes from brk and is never returned.
 */

#define RVR_HDR 16u
#define RVR_MIN_SHIFT 5u  /* smallest block: 32 bytes */
#define RVR_MAX_SHIFT 16u /* largest class: 64 KiB */
#define RVR_PAGE 4096u

struct rvr_free {
  struct rvr_free *next;
};

static struct rvr_free *rvr_bins[RVR_MAX_SHIFT + 1];
static struct rvr_free *rvr_large; /* free large blocks, first fit */

static size_t *hdr_of(void *p) { return (size_t *)(void *)((char *)p - RVR_HDR); }

static void *rvr_morecore(size_t bytes) {
  /* Keep the heap 16-byte aligned. */
  uintptr_t cur = (uintptr_t)rvr_sbrk(0);
  size_t pad = (size_t)((16u - (cur & 15u)) & 15u);
  if (bytes > (size_t)-1 - pad) return NULL;
  char *p = (char *)rvr_sbrk((intptr_t)(bytes + pad));
  if (p == (char *)-1) return NULL;
  return p + pad;
}

void *malloc(size_t n) {
  if (n > ((size_t)-1 >> 1) - RVR_PAGE) return NULL;
  size_t need = n + RVR_HDR;
  if (need <= ((size_t)1 << RVR_MAX_SHIFT)) {
    unsigned shift = RVR_MIN_SHIFT;
    while (((size_t)1 << shift) < need) shift++;
    struct rvr_free *f = rvr_bins[shift];
    char *block;
    if (f != NULL) {
      rvr_bins[shift] = f->next;
      block = (char *)f;
    } else {
      block = (char *)rvr_morecore((size_t)1 << shift);
      if (block == NULL) return NULL;
    }
    *(size_t *)(void *)block = (size_t)1 << shift;
    return block + RVR_HDR;
  }
  size_t cap = (need + RVR_PAGE - 1) & ~(size_t)(RVR_PAGE - 1);
  struct rvr_free **link = &rvr_large;
  for (struct rvr_free *f = rvr_large; f != NULL; link = &f->next, f = f->next) {
    size_t have = *((size_t *)(void *)f + 1); /* free large blocks keep their size in word 1 */
    if (have >= cap) {
      *link = f->next;
      char *block = (char *)f;
      if (have - cap >= ((size_t)1 << RVR_MAX_SHIFT)) {
        /* Split: the tail goes back to the free list. */
        struct rvr_free *rest = (struct rvr_free *)(void *)(block + cap);
        *((size_t *)(void *)rest + 1) = have - cap;
        rest->next = rvr_large;
        rvr_large = rest;
        have = cap;
      }
      *(size_t *)(void *)block = have;
      return block + RVR_HDR;
    }
  }
  char *block = (char *)rvr_morecore(cap);
  if (block == NULL) return NULL;
  *(size_t *)(void *)block = cap;
  return block + RVR_HDR;
}

void free(void *p) {
  if (p == NULL) return;
  size_t *h = hdr_of(p);
  size_t cap = *h;
  struct rvr_free *f = (struct rvr_free *)(void *)h;
  if (cap <= ((size_t)1 << RVR_MAX_SHIFT)) {
    unsigned shift = RVR_MIN_SHIFT;
    while (((size_t)1 << shift) < cap) shift++;
    f->next = rvr_bins[shift];
    rvr_bins[shift] = f;
  } else {
    *((size_t *)(void *)f + 1) = cap;
    f->next = rvr_large;
    rvr_large = f;
  }
}

void *calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) return NULL;
  size_t n = count * size;
  void *p = malloc(n);
  if (p != NULL) memset(p, 0, n);
  return p;
}

void *realloc(void *p, size_t n) {
  if (p == NULL) return malloc(n);
  if (n == 0) {
    free(p);
    return NULL;
  }
  size_t cap = *hdr_of(p) - RVR_HDR;
  if (n <= cap) return p;
  void *q = malloc(n);
  if (q == NULL) return NULL;
  memcpy(q, p, cap < n ? cap : n);
  free(p);
  return q;
}
#endif /* !RVR_NATIVE */
