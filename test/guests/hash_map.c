/* hash_map: a chained hash map from strings to counts that grows by rehashing, used to count
 * the words of the input and of generated text; prints the most frequent words in a
 * deterministic order. Exit code: number of distinct input words modulo 256. */
#include "rvr_guest.h"

struct entry { char *key; uint32_t count; struct entry *next; };
struct map { struct entry **buckets; uint32_t nbuckets, size; };

static uint32_t hash(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static void map_init(struct map *m) {
  m->nbuckets = 8;
  m->size = 0;
  m->buckets = (struct entry **)calloc(m->nbuckets, sizeof *m->buckets);
}

static void map_grow(struct map *m) {
  uint32_t nb = m->nbuckets * 2;
  struct entry **b = (struct entry **)calloc(nb, sizeof *b);
  for (uint32_t i = 0; i < m->nbuckets; i++) {
    struct entry *e = m->buckets[i];
    while (e) {
      struct entry *next = e->next;
      uint32_t j = hash(e->key) & (nb - 1);
      e->next = b[j];
      b[j] = e;
      e = next;
    }
  }
  free(m->buckets);
  m->buckets = b;
  m->nbuckets = nb;
}

static void map_add(struct map *m, const char *key, size_t len) {
  char tmp[64];
  if (len >= sizeof tmp) len = sizeof tmp - 1;
  memcpy(tmp, key, len);
  tmp[len] = 0;
  uint32_t j = hash(tmp) & (m->nbuckets - 1);
  for (struct entry *e = m->buckets[j]; e; e = e->next)
    if (strcmp(e->key, tmp) == 0) { e->count++; return; }
  struct entry *e = (struct entry *)malloc(sizeof *e);
  e->key = (char *)malloc(len + 1);
  memcpy(e->key, tmp, len + 1);
  e->count = 1;
  e->next = m->buckets[j];
  m->buckets[j] = e;
  if (++m->size > m->nbuckets * 3 / 4) map_grow(m);
}

static void map_free(struct map *m) {
  for (uint32_t i = 0; i < m->nbuckets; i++) {
    struct entry *e = m->buckets[i];
    while (e) { struct entry *n = e->next; free(e->key); free(e); e = n; }
  }
  free(m->buckets);
}

static int before(const struct entry *a, const struct entry *b) {
  if (a->count != b->count) return a->count > b->count;
  return strcmp(a->key, b->key) < 0;
}

static void report(const char *label, struct map *m, int top) {
  struct entry **all = (struct entry **)malloc(m->size * sizeof *all);
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->nbuckets; i++)
    for (struct entry *e = m->buckets[i]; e; e = e->next) all[n++] = e;
  for (uint32_t i = 1; i < n; i++) {
    struct entry *v = all[i];
    uint32_t j = i;
    while (j > 0 && before(v, all[j - 1])) { all[j] = all[j - 1]; j--; }
    all[j] = v;
  }
  rvr_printf("%s: %u distinct, buckets=%u\n", label, m->size, m->nbuckets);
  for (int i = 0; i < top && (uint32_t)i < n; i++) rvr_printf("  %-12s %u\n", all[i]->key, all[i]->count);
  free(all);
}

static int is_word(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\''; }

static void count_words(struct map *m, const char *t, size_t n) {
  size_t i = 0;
  while (i < n) {
    while (i < n && !is_word((unsigned char)t[i])) i++;
    size_t s = i;
    char w[64];
    size_t k = 0;
    while (i < n && is_word((unsigned char)t[i])) {
      char c = t[i++];
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
      if (k < sizeof w) w[k++] = c;
    }
    if (i > s) map_add(m, w, k);
  }
}

int main(void) {
  size_t len;
  char *text = rvr_read_all_alloc(&len);
  struct map m;
  map_init(&m);
  count_words(&m, text, len);
  report("input", &m, 8);
  uint32_t distinct = m.size;
  map_free(&m);

  /* Generated words from a small syllable alphabet. */
  static const char *const syl[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi"};
  map_init(&m);
  uint32_t x = 99;
  for (int i = 0; i < 20000; i++) {
    char w[16];
    size_t k = 0;
    x = x * 1664525u + 1013904223u;
    int parts = 1 + (int)((x >> 28) % 3);
    for (int p = 0; p < parts; p++) {
      const char *sy = syl[(x >> (4 + 3 * p)) & 7];
      w[k++] = sy[0];
      w[k++] = sy[1];
    }
    map_add(&m, w, k);
  }
  report("generated", &m, 6);
  map_free(&m);
  free(text);
  return (int)(distinct % 256);
}
