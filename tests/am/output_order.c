/* Hosted: printf and putch interleaved keep program order also when the output goes to a file
 * or a pipe (stdout is a stream of the C library, putch writes on its own), and with
 * mainargs "stop" a partial line printed before the kernel is killed is not lost. */
#include <am.h>
#include <signal.h>
#include <stdio.h>

static volatile int ticks;

static Context *on_event(Event event, Context *context) {
  if (event.event == EVENT_IRQ_TIMER) ticks++;
  return context;
}

int main(const char *args) {
  for (int i = 0; i < 3; i++) {
    printf("p%d", i);
    putch('c');
  }
  printf("\n");
  printf("partial");
  if (args[0] == 's') {
    /* Stopped from outside, as a test harness or the user does, a tick after the printf. */
    cte_init(on_event);
    iset(true);
    while (ticks < 1) {
    }
    raise(SIGKILL);
  }
  putch('\n');
  return 0;
}
