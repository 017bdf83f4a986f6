/* An Abstract Machine interrupt test in C11: timer interrupts and yields reach the handler,
 * which prints one letter per event kind (y: yield, t: timer, d: device, e: error). */
#include <am.h>

static volatile int yields, ticks;

static Context *on_event(Event event, Context *context) {
  switch (event.event) {
    case EVENT_YIELD:
      putch('y');
      yields++;
      break;
    case EVENT_IRQ_TIMER:
      putch('t');
      ticks++;
      break;
    case EVENT_IRQ_IODEV: putch('d'); break;
    default: putch('e'); break;
  }
  return context;
}

static void print(const char *text) {
  while (*text) putch(*text++);
}

int main(const char *args) {
  print("intr: mainargs=[");
  print(args);
  print("] ");
  cte_init(on_event);
  if (ienabled()) halt(3); /* interrupts start disabled */
  iset(true);
  while (ticks < 3 || yields < 3) {
    for (volatile int i = 0; i < 1000000; i++) {
    }
    yield();
  }
  iset(false);
  print("\nintr: ok\n");
  halt(0);
}
