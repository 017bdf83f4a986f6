/* An AM kernel thread on a stack of AM's size (KSTACK_BYTES: 8 KiB hosted, as AM kernels
 * allocate them; more on the boards, whose minimum is larger): it takes a yield, timer
 * interrupts and a fault (and, hosted, its first calls into libc, which go through the dynamic
 * linker's lazy-binding resolver on this stack). The stack is painted first; afterwards the
 * lowest overwritten byte gives how deep the thread and every trap on it went. Passes if that
 * stayed inside the stack and the deepest bytes were never touched. */
#include <am.h>

#if defined(KSTACK_LIBC_CALLS)
#include <stdio.h>
#include <stdlib.h>
#endif

#define PAINT 0xa5
#define TICKS 5

static union {
  unsigned char bytes[KSTACK_BYTES];
  long long align;
} kstack __attribute__((aligned(16)));

static Context *boot, *thread;
static volatile int ticks, faulted;

static void print(const char *text) {
  while (*text) putch(*text++);
}

static void print_number(unsigned long value) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  while (count) putch(digits[--count]);
}

static Context *on_event(Event event, Context *context) {
  switch (event.event) {
    case EVENT_YIELD:
      if (!boot) { /* main's yield: start the thread */
        boot = context;
        return thread;
      }
      return context;
    case EVENT_IRQ_TIMER: ticks++; return context;
    case EVENT_ERROR: faulted = 1; return boot; /* the thread ends at its fault */
    default: print("kstack: unexpected event\n"); halt(2);
  }
}

static void body(void *arg) {
  (void)arg;
  yield();
  while (ticks < TICKS) {
  }
#if defined(KSTACK_LIBC_CALLS)
  printf("kstack: thread calls printf (%d ticks)\n", ticks);
  if (strtoul("42", NULL, 10) != 42) halt(3);
#endif
  __builtin_trap();
}

int main(const char *args) {
  (void)args;
  for (unsigned i = 0; i < sizeof kstack.bytes; i++) kstack.bytes[i] = PAINT;
  cte_init(on_event);
  thread = kcontext((Area){kstack.bytes, kstack.bytes + sizeof kstack.bytes}, body, NULL);
  yield();
  if (!faulted || ticks < TICKS) halt(4);
  unsigned untouched = 0;
  while (untouched < sizeof kstack.bytes && kstack.bytes[untouched] == PAINT) untouched++;
  print("kstack: deepest use ");
  print_number(sizeof kstack.bytes - untouched);
  print(" of ");
  print_number(sizeof kstack.bytes);
  print(" bytes\n");
  if (untouched < 64) {
    print("kstack: FAIL: the stack's lowest 64 bytes were written\n");
    halt(5);
  }
  print("kstack: ok\n");
  halt(0);
}
