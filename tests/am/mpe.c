/* AM's MPE on cte: one CPU; mpe_init runs the entry on it and never returns; atomic_xchg
 * swaps and returns the old value. With MPE_ENTRY_RETURNS the entry returns: a fatal error. */
#include <am.h>

static int word = 7;

static void print(const char *text) {
  while (*text) putch(*text++);
}

static void entry(void) {
  if (cpu_count() != 1 || cpu_current() != 0) halt(2);
  if (atomic_xchg(&word, 9) != 7 || word != 9) halt(3);
  if (atomic_xchg(&word, -1) != 9 || word != -1) halt(4);
  print("mpe: cpu 0 of 1, xchg ok\n");
#if !defined(MPE_ENTRY_RETURNS)
  halt(0);
#endif
}

int main(const char *args) {
  (void)args;
  mpe_init(entry);
  print("mpe: FAIL: mpe_init returned\n");
  return 1;
}
