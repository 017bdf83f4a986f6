/* A thread-os in the shape of AM's (am-kernels kernels/thread-os): tasks in unions of their
 * bookkeeping and an 8 KiB stack (THREAD_OS_STACK_BYTES), kcontext on the rest of the union,
 * round robin on every timer tick, an atomic_xchg spin lock, and mpe_init starting the CPUs.
 * Each task prints its letter once per time slice (at most twice when a tick lands between
 * its print and its wait). Passes when all tasks printed within ROUNDS prints: round robin
 * reaches every task long before that. */
#include <am.h>

#define TASKS 5
#define ROUNDS 40

typedef union task {
  struct {
    const char *name;
    union task *next;
    void (*entry)(void *);
    Context *context;
  };
  uint8_t stack[THREAD_OS_STACK_BYTES];
} Task;

static Task tasks[TASKS];
static Task *currents[1];
#define current currents[cpu_current()]

static int locked;
static volatile int ticks, prints, printed[TASKS];

static void lock(void) {
  while (atomic_xchg(&locked, 1)) {
  }
}
static void unlock(void) { atomic_xchg(&locked, 0); }

static void print(const char *text) {
  while (*text) putch(*text++);
}

static void func(void *arg) {
  const char *name = arg;
  for (;;) {
    const int slice = ticks;
    lock();
    putch(name[0]);
    printed[name[0] - 'A']++;
    if (++prints == ROUNDS) {
      putch('\n');
      for (int i = 0; i < TASKS; i++)
        if (!printed[i]) {
          print("thread-os: FAIL: a task never ran\n");
          halt(1);
        }
      print("thread-os: ok\n");
      halt(0);
    }
    unlock();
    while (ticks == slice) {
    }
  }
}

static Context *on_interrupt(Event ev, Context *ctx) {
  if (ev.event == EVENT_IRQ_TIMER) ticks++;
  if (!current)
    current = &tasks[0];
  else
    current->context = ctx;
  do {
    current = current->next;
  } while ((current - tasks) % cpu_count() != cpu_current());
  return current->context;
}

static void mp_entry(void) {
  iset(true);
  yield();
}

int main(const char *args) {
  (void)args;
  static const char *names[TASKS] = {"A", "B", "C", "D", "E"};
  cte_init(on_interrupt);
  for (int i = 0; i < TASKS; i++) {
    Task *task = &tasks[i];
    task->name = names[i];
    task->entry = func;
    Area stack = (Area){&task->context + 1, task + 1};
    task->context = kcontext(stack, task->entry, (void *)task->name);
    task->next = &tasks[(i + 1) % TASKS];
  }
  mpe_init(mp_entry);
}
