// Under ThreadSanitizer every cte thread is a fiber of its own. A race between a kcontext
// thread and another host thread is reported as the kcontext thread's, with its own call stack:
// without the fiber annotations TSan sees the main thread, whose call stack runs from the boot
// context's frames (parked in yield) into the kcontext thread's. The test races on purpose and
// ctest checks the report (expected: the racing function; not expected: "by main thread").

#include <cte/cte.hpp>

#include <atomic>
#include <cstdio>
#include <thread>

#include "support/static_stack.hpp"

namespace {

volatile int raced_on;                 // written by two host threads without synchronisation (volatile: kept)
std::atomic<bool> other_wrote{false};  // relaxed: no happens-before for TSan
cte::Context *boot = nullptr, *thread = nullptr;

[[gnu::noinline]] void racing_write_in_kcontext_thread() { raced_on = 1; }

void thread_body(void *) {
  racing_write_in_kcontext_thread();
  cte::yield();
}

cte::Context *schedule(cte::Event, cte::Context *context) {
  if (context == thread) return boot;
  boot = context;
  return thread;
}

[[gnu::noinline]] void boot_context_switches_to_the_thread() { cte::yield(); }

cte_test::StaticStack<cte_test::thread_stack_size> stack;

}  // namespace

int main() {
  std::thread other([] {
    raced_on = 2;
    other_wrote.store(true, std::memory_order_relaxed);
  });
  while (!other_wrote.load(std::memory_order_relaxed)) std::this_thread::yield();
  thread = cte::kcontext(stack.area(), thread_body, nullptr);
  cte::cte_init(schedule);
  boot_context_switches_to_the_thread();
  other.join();
  std::puts("tsan fiber test: done");
  return 0;
}
