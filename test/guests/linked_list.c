/* linked_list: singly and doubly linked lists on the heap: build, reverse, merge sort, remove
 * every third node, splice, and a circular list (Josephus problem). Exit code 4. */
#include "rvr_guest.h"

struct node { int32_t v; struct node *next; };
struct dnode { int32_t v; struct dnode *prev, *next; };

static struct node *push(struct node *head, int32_t v) {
  struct node *n = (struct node *)malloc(sizeof *n);
  n->v = v;
  n->next = head;
  return n;
}

static struct node *reverse(struct node *h) {
  struct node *prev = NULL;
  while (h) {
    struct node *next = h->next;
    h->next = prev;
    prev = h;
    h = next;
  }
  return prev;
}

static struct node *merge(struct node *a, struct node *b) {
  struct node head, *t = &head;
  while (a && b) {
    if (a->v <= b->v) { t->next = a; a = a->next; }
    else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *msort(struct node *h) {
  if (!h || !h->next) return h;
  struct node *slow = h, *fast = h->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *b = slow->next;
  slow->next = NULL;
  return merge(msort(h), msort(b));
}

static void print_list(const char *label, const struct node *h, int max) {
  rvr_printf("%s:", label);
  int n = 0, total = 0;
  for (; h; h = h->next, total++)
    if (n < max) { rvr_printf(" %d", h->v); n++; }
  rvr_printf(" (%d nodes)\n", total);
}

static void free_list(struct node *h) {
  while (h) { struct node *n = h->next; free(h); h = n; }
}

int main(void) {
  struct node *list = NULL;
  uint32_t x = 42;
  for (int i = 0; i < 2000; i++) {
    x = x * 1103515245u + 12345u;
    list = push(list, (int32_t)((x >> 16) % 1000) - 500);
  }
  print_list("built", list, 10);
  list = reverse(list);
  print_list("reversed", list, 10);
  list = msort(list);
  print_list("sorted", list, 10);
  int ok = 1;
  for (struct node *p = list; p && p->next; p = p->next) if (p->v > p->next->v) ok = 0;
  rvr_printf("sorted ok=%d\n", ok);
  /* remove every third node */
  int idx = 0;
  for (struct node **pp = &list; *pp;) {
    if (++idx % 3 == 0) { struct node *d = *pp; *pp = d->next; free(d); }
    else pp = &(*pp)->next;
  }
  print_list("thinned", list, 10);
  int64_t sum = 0;
  for (struct node *p = list; p; p = p->next) sum += p->v;
  rvr_printf("sum=%lld\n", (long long)sum);
  free_list(list);

  /* Doubly linked circular list: Josephus with n=41, k=3. */
  struct dnode *first = NULL, *last = NULL;
  for (int i = 1; i <= 41; i++) {
    struct dnode *d = (struct dnode *)malloc(sizeof *d);
    d->v = i;
    d->prev = last;
    d->next = NULL;
    if (last) last->next = d; else first = d;
    last = d;
  }
  last->next = first;
  first->prev = last;
  struct dnode *cur = last;
  rvr_print("josephus order:");
  int remaining = 41;
  while (remaining > 1) {
    for (int s = 0; s < 3; s++) cur = cur->next;
    rvr_printf(" %d", cur->v);
    cur->prev->next = cur->next;
    cur->next->prev = cur->prev;
    struct dnode *dead = cur;
    cur = cur->prev;
    free(dead);
    remaining--;
  }
  rvr_printf("\nsurvivor: %d\n", cur->v);
  int survivor = cur->v;
  free(cur);
  return survivor % 7 + 1;
}
