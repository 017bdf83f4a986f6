/* An Abstract Machine yield-os written in C11 against am.h: two kernel threads and a
 * scheduler that alternates them on every yield. Built unchanged from AM-style source. */
#include <am.h>

#define STACK_BYTES (8 * 4096)
#define LETTERS 12

typedef union {
  unsigned char stack[STACK_BYTES];
  struct {
    Context *context;
  };
} Task;

static Task tasks[2];
static Task boot_task;
static Task *running = &boot_task;
static int printed;

static void task_body(void *arg) {
  const char letter = (char)(uintptr_t)arg;
  for (;;) {
    putch(letter);
    if (++printed == LETTERS) {
      putch('\n');
      halt(0);
    }
    yield();
  }
}

static Context *schedule(Event event, Context *interrupted) {
  if (event.event == EVENT_IRQ_TIMER) return interrupted; /* cooperative kernel: ignore ticks */
  running->context = interrupted;
  running = running == &tasks[0] ? &tasks[1] : &tasks[0];
  return running->context;
}

int main(const char *args) {
  (void)args;
  cte_init(schedule);
  tasks[0].context = kcontext((Area){tasks[0].stack, &tasks[0] + 1}, task_body, (void *)'A');
  tasks[1].context = kcontext((Area){tasks[1].stack, &tasks[1] + 1}, task_body, (void *)'B');
  if (!tasks[0].context || !tasks[1].context) halt(2);
  yield();
  halt(1); /* the boot context is never resumed */
}
