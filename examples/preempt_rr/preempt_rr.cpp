// preempt-rr: a timer-preempted round-robin kernel. Three threads never yield; the timer tick
// (EventKind::irq_timer) is the only thing that moves the CPU from one to the next. The same
// source runs hosted and on the bare-metal boards.

#include <cte/cte.hpp>

#include <cstdint>

namespace {

constexpr int thread_count = 3;
constexpr std::uint64_t tick_us = 2000;
constexpr int slices_to_run = 12;

cte::Context *threads[thread_count];
int current = -1;  // -1: the boot context, which only starts the threads
int slices = 0;
volatile std::uint64_t progress[thread_count];

cte::Context *schedule(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case cte::EventKind::yield:  // the boot context hands over for good
    case cte::EventKind::irq_timer:
      if (current >= 0) {
        threads[current] = context;
        cte::putch(static_cast<char>('A' + current));
      }
      if (++slices > slices_to_run) {
        cte::timer::stop();
        cte::putstr("\npreempt-rr: every thread made progress: ");
        bool all = true;
        for (int i = 0; i < thread_count; ++i) all = all && progress[i] > 0;
        cte::putstr(all ? "yes\n" : "NO\n");
        cte::halt(all ? 0 : 1);
      }
      current = (current + 1) % thread_count;
      return threads[current];
    default:
      cte::putstr("\npreempt-rr: unexpected event ");
      cte::putstr(cte::to_string(event.kind));
      cte::putstr(" at pc ");
      cte::puthex(context->pc());
      cte::putstr("\n");
      cte::halt(1);
  }
}

// Never yields: only the timer takes the CPU away.
void busy_thread(void *index) {
  const auto i = reinterpret_cast<std::uintptr_t>(index);
  for (;;) progress[i] = progress[i] + 1;
}

alignas(16) unsigned char stacks[thread_count][32 * 1024];

}  // namespace

int main() {
  cte::cte_init(schedule);
  for (int i = 0; i < thread_count; ++i)
    threads[i] = cte::kcontext({stacks[i], stacks[i] + sizeof stacks[i]}, busy_thread,
                               reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
  cte::putstr("preempt-rr: ");
  if (!cte::timer::start(tick_us)) {
    cte::putstr("no timer\n");
    return 1;
  }
  cte::yield();  // kcontext threads start with interrupts enabled
  return 1;
}
