// A kernel for the debugger tests (run_gdb.cmake): each scenario stops in a marker function that
// the handler (or a fresh thread) calls, where gdb's backtrace must walk through cte's trap stubs
// and the dispatcher into the interrupted code and its callers.
//   yield:   marker_yield_event <- handler <- ... <- yielding_function <- outer_caller <- main
//   timer:   marker_timer_event <- handler <- ... (signal frame) ... <- spinning_function
//   thread:  marker_fresh_thread <- thread_entry, and nothing but cte's start stub below it
//   parked:  marker_parked, with parked_context a thread parked in parked_inner <- parked_outer
//            (the gdb extension's `cte context` / `cte bt` read it without resuming it)
//   fault:   marker_fault_event <- handler <- ... (trap frame) ... <- faulting_function <- main:
//            a load from a cte::ProtectedPage, which the handler then makes accessible
//   fast:    marker_fast_parked, with fast_worker a fast-switch thread parked in fast_inner <-
//            fast_outer
#include <cte/cte.hpp>

namespace {

cte::Context *boot_context = nullptr;
cte::Context *thread_context = nullptr;
volatile bool spinning = true;
volatile bool in_spin = false;
volatile int sink = 0;

[[gnu::noinline]] void marker_yield_event() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_timer_event() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_fresh_thread() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_parked() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_fault_event() { asm volatile("" ::: "memory"); }
[[gnu::noinline]] void marker_fast_parked() { asm volatile("" ::: "memory"); }

[[gnu::noinline]] cte::Context *handler(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case cte::EventKind::yield: marker_yield_event(); return context;
    case cte::EventKind::irq_timer:
      if (!in_spin) return context;  // a tick before the spin began: not the one to inspect
      marker_timer_event();
      spinning = false;
      return context;
    case cte::EventKind::syscall:  // from the fresh thread: back to the boot context
      thread_context = context;
      return boot_context;
    default: cte::halt(3);
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
  in_spin = true;
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

// A thread that parks itself: its yield's handler keeps the Context and resumes the boot context.
cte::Context *parked_context = nullptr;
cte::Context *parking_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield && !parked_context && switch_target == nullptr && boot_context) {
    parked_context = context;
    return boot_context;
  }
  return switching_handler(event, context);
}
[[gnu::noinline]] void parked_inner() {
  cte::yield();
  sink = sink + 1;
}
[[gnu::noinline]] void parked_outer(void *) {
  parked_inner();
  sink = sink + 1;
}

// The fault scenario's page: the handler of its fault makes it accessible (the load retries).
cte::ProtectedPage *volatile faulting_page = nullptr;
cte::Context *fault_handler(cte::Event event, cte::Context *context) {
  if (!cte::is_memory_protection_fault(event.kind) || !faulting_page) cte::halt(3);
  marker_fault_event();
  faulting_page->set_accessible(true);
  return context;
}
[[gnu::noinline]] void faulting_function() { sink = sink + *static_cast<volatile int *>(faulting_page->area().start); }

// A fast-switch thread that parks itself back into main.
cte::FastContext fast_main, fast_worker;
[[gnu::noinline]] void fast_inner() {
  cte::fast_switch(fast_worker, fast_main);
  sink = sink + 1;
}
[[gnu::noinline]] void fast_outer(void *) {
  fast_inner();
  sink = sink + 1;
  for (;;) cte::fast_switch(fast_worker, fast_main);
}

}  // namespace

// Text comparison without libc (the board images have none).
static bool same(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Hosted, the scenario is the first argument; a board image has it built in (one image per
// scenario: boards pass main no argument vector).
#ifdef CTE_PROBE_SCENARIO
int main() {
  const char *scenario = CTE_PROBE_SCENARIO;
#else
int main(int argc, char **argv) {
  const char *scenario = argc > 1 ? argv[1] : "";
#endif
  cte::cte_init(handler);
  if (same(scenario, "yield")) {
    outer_caller();
  } else if (same(scenario, "timer")) {
    cte::iset(true);
    cte::timer::start(2000);
    spinning_function();
    cte::timer::stop();
  } else if (same(scenario, "thread")) {
    static unsigned char stack[64 * 1024] __attribute__((aligned(64)));
    switch_target = cte::kcontext({stack, stack + sizeof stack}, thread_entry, nullptr);
    cte::cte_init(switching_handler);
    cte::yield();
  } else if (same(scenario, "parked")) {
    static unsigned char stack[64 * 1024] __attribute__((aligned(64)));
    switch_target = cte::kcontext({stack, stack + sizeof stack}, parked_outer, nullptr);
    cte::cte_init(parking_handler);
    cte::yield();  // to the thread, which parks itself and comes back here
    marker_parked();
  } else if (same(scenario, "fault")) {
    cte::ProtectedPage page;
    if (!page.valid()) return 2;
    faulting_page = &page;
    cte::cte_init(fault_handler);
    faulting_function();
    faulting_page = nullptr;
  } else if (same(scenario, "fast")) {
    static unsigned char stack[64 * 1024] __attribute__((aligned(64)));
    if (!cte::make_fast_context(fast_worker, {stack, stack + sizeof stack}, fast_outer, nullptr)) return 2;
    cte::fast_switch(fast_main, fast_worker);  // the worker parks itself in fast_inner
    marker_fast_parked();
  } else {
    return 2;
  }
  cte::putstr("backtrace_probe: done\n");
  return 0;
}
