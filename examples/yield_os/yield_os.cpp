// yield-os: the classic two-thread kernel. The cte handler is the whole scheduler: every
// yield() saves the running thread's Context and the handler picks the next one.
// The same source runs hosted and on the bare-metal boards.

#include <cte/cte.hpp>

namespace {

constexpr int letters_per_thread = 10;

cte::Context *threads[2];
int current = -1;  // -1 until the boot context first yields; it is never resumed
int printed = 0;

cte::Context *schedule(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case cte::EventKind::yield:
      if (current >= 0) threads[current] = context;
      current = (current + 1) % 2;
      return threads[current];
    default:
      cte::putstr("\nyield-os: unexpected event ");
      cte::putstr(cte::to_string(event.kind));
      cte::putstr("\n");
      cte::halt(1);
  }
}

void thread(void *letter) {
  for (;;) {
    cte::putch(*static_cast<const char *>(letter));
    if (++printed == 2 * letters_per_thread) {
      cte::putstr("\nyield-os: done\n");
      cte::halt(0);
    }
    cte::yield();
  }
}

alignas(16) unsigned char stacks[2][32 * 1024];

}  // namespace

int main() {
  cte::cte_init(schedule);
  threads[0] = cte::kcontext({stacks[0], stacks[0] + sizeof stacks[0]}, thread, const_cast<char *>("A"));
  threads[1] = cte::kcontext({stacks[1], stacks[1] + sizeof stacks[1]}, thread, const_cast<char *>("B"));
  cte::putstr("yield-os: ");
  cte::yield();  // the boot context gives the CPU away for good
  cte::putstr("yield-os: boot context resumed (bug)\n");
  return 1;
}
