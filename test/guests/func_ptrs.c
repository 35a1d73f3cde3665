/* func_ptrs: calls through arrays of function pointers, callbacks (a generic sort taking a
 * comparator), a function-pointer state machine and a struct of operations ("vtable").
 * Exit code: words + numbers - 1 = 10. */
#include "rvr_guest.h"

typedef int32_t (*binop)(int32_t, int32_t);
static int32_t op_add(int32_t a, int32_t b) { return a + b; }
static int32_t op_sub(int32_t a, int32_t b) { return a - b; }
static int32_t op_mul(int32_t a, int32_t b) { return a * b; }
static int32_t op_max(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t op_min(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t op_xor(int32_t a, int32_t b) { return a ^ b; }
static const binop ops[] = {op_add, op_sub, op_mul, op_max, op_min, op_xor};
static const char *const op_names[] = {"add", "sub", "mul", "max", "min", "xor"};

typedef int (*cmp_fn)(const void *, const void *);
static void gsort(void *base, size_t n, size_t size, cmp_fn cmp) {
  char *b = (char *)base;
  char tmp[32];
  for (size_t i = 1; i < n; i++) {
    memcpy(tmp, b + i * size, size);
    size_t j = i;
    while (j > 0 && cmp(b + (j - 1) * size, tmp) > 0) {
      memcpy(b + j * size, b + (j - 1) * size, size);
      j--;
    }
    memcpy(b + j * size, tmp, size);
  }
}
static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}
static int cmp_i32_desc(const void *a, const void *b) { return cmp_i32(b, a); }
struct person { char name[12]; int32_t age; };
static int cmp_person(const void *a, const void *b) {
  const struct person *x = (const struct person *)a, *y = (const struct person *)b;
  if (x->age != y->age) return x->age - y->age;
  return strcmp(x->name, y->name);
}

/* State machine: each state is a function returning the next state. */
struct machine;
typedef const void *(*state_fn)(struct machine *, char);
struct machine { int words, numbers; };
static const void *st_space(struct machine *m, char c);
static const void *st_word(struct machine *m, char c);
static const void *st_number(struct machine *m, char c);
static const void *st_space(struct machine *m, char c) {
  if (c >= '0' && c <= '9') { m->numbers++; return (const void *)st_number; }
  if (c >= 'a' && c <= 'z') { m->words++; return (const void *)st_word; }
  return (const void *)st_space;
}
static const void *st_word(struct machine *m, char c) {
  if (c >= 'a' && c <= 'z') return (const void *)st_word;
  return st_space(m, c);
}
static const void *st_number(struct machine *m, char c) {
  if (c >= '0' && c <= '9') return (const void *)st_number;
  return st_space(m, c);
}

struct shape_ops { const char *name; int32_t (*area)(const int32_t *); int32_t (*perimeter)(const int32_t *); };
static int32_t rect_area(const int32_t *d) { return d[0] * d[1]; }
static int32_t rect_perim(const int32_t *d) { return 2 * (d[0] + d[1]); }
static int32_t sq_area(const int32_t *d) { return d[0] * d[0]; }
static int32_t sq_perim(const int32_t *d) { return 4 * d[0]; }
static int32_t tri_area2(const int32_t *d) { return d[0] * d[1]; } /* twice the area */
static int32_t tri_perim(const int32_t *d) { return d[0] + d[1] + d[2]; }
static const struct shape_ops shapes[] = {
    {"rect", rect_area, rect_perim}, {"square", sq_area, sq_perim}, {"tri2", tri_area2, tri_perim}};

int main(void) {
  int32_t acc = 1;
  for (int i = 0; i < 60; i++) {
    unsigned k = (unsigned)(i * 7 + 3) % 6;
    int32_t prev = acc;
    acc = ops[k](acc, i * 13 - 100);
    if (i < 12) rvr_printf("%s(%d, %d) = %d\n", op_names[k], prev, i * 13 - 100, acc);
  }
  rvr_printf("acc = %d\n", acc);

  int32_t v[10] = {5, -3, 99, 0, 42, -100, 7, 7, 13, 1};
  gsort(v, 10, sizeof v[0], cmp_i32);
  rvr_print("asc:");
  for (int i = 0; i < 10; i++) rvr_printf(" %d", v[i]);
  gsort(v, 10, sizeof v[0], cmp_i32_desc);
  rvr_print("\ndesc:");
  for (int i = 0; i < 10; i++) rvr_printf(" %d", v[i]);
  rvr_print("\n");
  struct person people[] = {{"carol", 35}, {"alice", 30}, {"bob", 30}, {"dave", 25}, {"eve", 35}};
  gsort(people, 5, sizeof people[0], cmp_person);
  for (int i = 0; i < 5; i++) rvr_printf("%s:%d ", people[i].name, people[i].age);
  rvr_print("\n");

  struct machine m = {0, 0};
  const char *text = "abc 123 de4f 56 ghi 7 8 9 end";
  state_fn st = st_space;
  for (const char *p = text; *p; p++) st = (state_fn)st(&m, *p);
  rvr_printf("words=%d numbers=%d\n", m.words, m.numbers);

  int32_t dims[3] = {3, 4, 5};
  for (unsigned i = 0; i < 3; i++)
    rvr_printf("%s: area=%d perimeter=%d\n", shapes[i].name, shapes[i].area(dims), shapes[i].perimeter(dims));
  return m.numbers + m.words - 1;
}
