// A kernel for the debugger tests (run_gdb.cmake): each scenario stops in a marker function that
// the handler (or a fresh thread) calls, where gdb's backtrace must walk through cte's trap stubs
// and the dispatcher into the interrupted code and its callers.
//   yield:   marker_yield_event <- handler <- ... <- yielding_function <- outer_caller <- main
//   timer:   marker_timer_event <- handler <- ... (signal frame) ... <- spinning_function
//   thread:  marker_fresh_thread <- thread_entry, and nothing but cte's start stub below it
#include <cte/cte.hpp>

#include <cstdlib>
#include <cstring>

namespace {

cte::Context *boot_context = nullptr;
cte::Context *thread_context = nullptr;
volatile bool spinning = true;
volatile int sink = 0;

[[gnu::noinline]] void marker_yield_event() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_timer_event() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_fresh_thread() { asm volatile("" ::: "memory"); }

[[gnu::noinline]] cte::Context *handler(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case cte::EventKind::yield: marker_yield_event(); return context;
    case cte::EventKind::irq_timer:
      marker_timer_event();
      spinning = false;
      return context;
    case cte::EventKind::syscall:  // from the fresh thread: back to the boot context
      thread_context = context;
      return boot_context;
    default: std::abort();
  }
}

[[gnu::noinline]] void yielding_function() {
  cte::yield();
  sink = sink + 1;
}
[[gnu::noinline]] void outer_caller() {
  yielding_function();
  sink = sink + 1;
}
[[gnu::noinline]] void spinning_function() {
  while (spinning) sink = sink + 1;
}
[[gnu::noinline]] void thread_entry(void *) {
  marker_fresh_thread();
  cte::syscall(1);
}

// Switches to a fresh kcontext thread through a yield whose handler answer is that thread.
cte::Context *switch_target = nullptr;
cte::Context *switching_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield && switch_target) {
    boot_context = context;
    cte::Context *next = switch_target;
    switch_target = nullptr;
    return next;
  }
  return handler(event, context);
}

}  // namespace

int main(int argc, char **argv) {
  const char *scenario = argc > 1 ? argv[1] : "";
  cte::cte_init(handler);
  if (std::strcmp(scenario, "yield") == 0) {
    outer_caller();
  } else if (std::strcmp(scenario, "timer") == 0) {
    cte::iset(true);
    cte::timer::start(2000);
    spinning_function();
    cte::timer::stop();
  } else if (std::strcmp(scenario, "thread") == 0) {
    static unsigned char stack[64 * 1024] __attribute__((aligned(64)));
    switch_target = cte::kcontext({stack, stack + sizeof stack}, thread_entry, nullptr);
    cte::cte_init(switching_handler);
    cte::yield();
  } else {
    return 2;
  }
  cte::putstr("backtrace_probe: done\n");
  return 0;
}
