// Second translation unit: threads and the scheduler, so the program links cte's stubs from
// two objects (they must not collide).
#include <cte/cte.hpp>

#include <string>

std::string trace;
static cte::Context *threads[2];
static cte::Context *boot;
static int current = -1;

static cte::Context *schedule(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return boot;
  if (current < 0)
    boot = context;
  else
    threads[current] = context;
  if (trace.size() >= 4) return boot;
  current = (current + 1) % 2;
  return threads[current];
}

static void thread(void *letter) {
  for (;;) {
    trace += *static_cast<const char *>(letter);
    cte::yield();
  }
}

alignas(16) static unsigned char stacks[2][64 * 1024];

void run_threads() {
  cte::cte_init(schedule);
  threads[0] = cte::kcontext({stacks[0], stacks[0] + sizeof stacks[0]}, thread, const_cast<char *>("A"));
  threads[1] = cte::kcontext({stacks[1], stacks[1] + sizeof stacks[1]}, thread, const_cast<char *>("B"));
  cte::yield();
}
