/* sort: quicksort, merge sort, heap sort and insertion sort on the same generated data; checks
 * that each result is sorted and identical, and prints checksums. Exit code 0. */
#include "rvr_guest.h"

#define N 3000

static uint32_t seed = 12345u;
static uint32_t rnd(void) {
  seed = seed * 1103515245u + 12345u;
  return seed >> 1;
}

static void insertion(int32_t *a, int n) {
  for (int i = 1; i < n; i++) {
    int32_t v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quick(int32_t *a, int lo, int hi) {
  while (hi - lo > 16) {
    int32_t p = a[lo + (hi - lo) / 2];
    int i = lo, j = hi - 1;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        int32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (j + 1 - lo < hi - i) {
      quick(a, lo, j + 1);
      lo = i;
    } else {
      quick(a, i, hi);
      hi = j + 1;
    }
  }
  insertion(a + lo, hi - lo);
}

static void merge_sort(int32_t *a, int32_t *tmp, int n) {
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n;
      int hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof *a);
  }
}

static void sift(int32_t *a, int i, int n) {
  for (;;) {
    int l = 2 * i + 1, big = i;
    if (l < n && a[l] > a[big]) big = l;
    if (l + 1 < n && a[l + 1] > a[big]) big = l + 1;
    if (big == i) return;
    int32_t t = a[i];
    a[i] = a[big];
    a[big] = t;
    i = big;
  }
}

static void heap_sort(int32_t *a, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(a, i, n);
  for (int end = n - 1; end > 0; end--) {
    int32_t t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift(a, 0, end);
  }
}

static uint32_t checksum(const int32_t *a, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (uint32_t)a[i]) * 16777619u;
  return h;
}

static int sorted(const int32_t *a, int n) {
  for (int i = 1; i < n; i++)
    if (a[i - 1] > a[i]) return 0;
  return 1;
}

static int32_t orig[N], work[N], tmp[N], ref[N];

int main(void) {
  for (int i = 0; i < N; i++) orig[i] = (int32_t)(rnd() % 200001u) - 100000;
  rvr_printf("input checksum %08x first %d %d %d\n", checksum(orig, N), orig[0], orig[1], orig[2]);

  memcpy(ref, orig, sizeof orig);
  insertion(ref, N);
  rvr_printf("insertion: sorted=%d checksum %08x min %d max %d median %d\n", sorted(ref, N),
             checksum(ref, N), ref[0], ref[N - 1], ref[N / 2]);

  memcpy(work, orig, sizeof orig);
  quick(work, 0, N);
  rvr_printf("quick:     sorted=%d same=%d\n", sorted(work, N), memcmp(work, ref, sizeof ref) == 0);

  memcpy(work, orig, sizeof orig);
  merge_sort(work, tmp, N);
  rvr_printf("merge:     sorted=%d same=%d\n", sorted(work, N), memcmp(work, ref, sizeof ref) == 0);

  memcpy(work, orig, sizeof orig);
  heap_sort(work, N);
  rvr_printf("heap:      sorted=%d same=%d\n", sorted(work, N), memcmp(work, ref, sizeof ref) == 0);

  /* Already sorted and reversed inputs, and many duplicates. */
  for (int i = 0; i < N; i++) work[i] = N - i;
  quick(work, 0, N);
  rvr_printf("reversed quick sorted=%d first %d last %d\n", sorted(work, N), work[0], work[N - 1]);
  for (int i = 0; i < N; i++) work[i] = (int32_t)(rnd() % 7u);
  heap_sort(work, N);
  int runs = 1;
  for (int i = 1; i < N; i++) runs += work[i] != work[i - 1];
  rvr_printf("duplicates heap sorted=%d distinct=%d checksum %08x\n", sorted(work, N), runs,
             checksum(work, N));
  return 0;
}
