// GuardedStack's hardware guard on every board that has one: a thread that runs into it is a
// stack_overflow Event naming the thread's stack (the boot context goes on), and a wild store
// into it from far above is an ordinary protection fault. (What each board's guard is:
// TargetPlatform::stack_guard_in_area and the ISA's trap_probes.hpp; fatal_cases.cpp has the
// overflows that must end the run.)

#include <cte/cte.hpp>
#include <cte/guarded_stack.hpp>
#include <cte/protected_page.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support/cte_test.hpp"
#include "support/run_off_the_stack.hpp"

namespace {
cte::Context *overflow_boot = nullptr;
cte::Context *overflow_thread = nullptr;
cte::Event overflow_event{};
std::uintptr_t overflow_sp = 0, overflow_stack_start = 0;
cte::Context *overflow_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield && context != overflow_thread) {
    overflow_boot = context;
    return overflow_thread;
  }
  overflow_event = event;
  overflow_sp = context->sp();
  overflow_stack_start = context->stack_start();
  return overflow_boot;  // abandon the thread
}
void recursing(void *) { cte_test::run_off_the_stack(0); }
void storing_into_guard(void *guard) {
  *static_cast<volatile char *>(guard) = 1;  // stack pointer far above the guard
  cte::yield();
}
// Runs entry(arg) on `stack` under overflow_handler until the thread's first event.
bool run_on_guarded_stack(cte::GuardedStack &stack, void (*entry)(void *), void *arg) {
  if (!stack.valid()) return false;
  overflow_thread = cte::kcontext(stack.area(), entry, arg);
  if (overflow_thread == nullptr) return false;
  cte::cte_init(overflow_handler);
  overflow_event = {};
  cte::yield();
  return true;
}
}  // namespace

CTE_TEST_CASE("a thread that runs into its GuardedStack's guard is stack_overflow, the boot context goes on") {
  if constexpr (cte_test::guard_skip != nullptr) {
    CTE_SKIP(cte_test::guard_skip);
  } else {
    cte::GuardedStack stack(16 * 1024);
    CTE_REQUIRE(run_on_guarded_stack(stack, recursing, nullptr));
    CTE_CHECK(overflow_event.kind == cte::EventKind::stack_overflow);
    CTE_CHECK(cte_test::is_guard_fault(overflow_event));
    CTE_CHECK_EQ(overflow_stack_start, reinterpret_cast<std::uintptr_t>(stack.area().start));
    const auto guard_start = reinterpret_cast<std::uintptr_t>(stack.guard().start);
    const auto guard_end = reinterpret_cast<std::uintptr_t>(stack.guard().end);
    CTE_CHECK(overflow_event.ref >= guard_start && overflow_event.ref < guard_end);
    CTE_CHECK(overflow_sp < reinterpret_cast<std::uintptr_t>(stack.area().start) + 4096);
  }
}

CTE_TEST_CASE("a wild store into a GuardedStack's guard, stack pointer far above, is a protection fault") {
  if constexpr (cte_test::guard_skip != nullptr) {
    CTE_SKIP(cte_test::guard_skip);
  } else {
    cte::GuardedStack stack(16 * 1024);
    CTE_REQUIRE(run_on_guarded_stack(stack, storing_into_guard, stack.guard().start));
    CTE_CHECK(cte::is_memory_protection_fault(overflow_event.kind));
    CTE_CHECK(overflow_event.kind != cte::EventKind::stack_overflow);
    CTE_CHECK_EQ(overflow_event.ref, reinterpret_cast<std::uintptr_t>(stack.guard().start));
  }
}

// A thread that makes a system call at every level of its recursion: the call whose frame
// would not fit above the thread's stack reserve is its stack_overflow, found by the trap
// entry's own check (the thread never touches the guard, so this holds on every board).
namespace {
constexpr std::uintptr_t probe_number = 7;
[[gnu::noinline]] int probe_down(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  cte::syscall(probe_number, static_cast<std::uintptr_t>(depth));
  if (depth >= cte_test::recursion_limit) return frame[0];
  return probe_down(depth + 1) + frame[0];
}
void probing(void *) { probe_down(0); }
long probe_calls = 0;
cte::Context *probe_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) {
    ++probe_calls;
    return context;
  }
  return overflow_handler(event, context);
}
}  // namespace

CTE_TEST_CASE("a system call that finds no room above the stack reserve is the thread's stack_overflow") {
  cte::GuardedStack stack(16 * 1024);
  CTE_REQUIRE(stack.valid());
  overflow_thread = cte::kcontext(stack.area(), probing, nullptr);
  CTE_REQUIRE(overflow_thread != nullptr);
  cte::cte_init(probe_handler);
  overflow_event = {};
  probe_calls = 0;
  cte::yield();
  CTE_CHECK(overflow_event.kind == cte::EventKind::stack_overflow);
  CTE_CHECK_EQ(overflow_event.cause, cte::TargetPlatform::Mode::syscall_cause);
  CTE_CHECK(probe_calls > 10);
  const auto start = reinterpret_cast<std::uintptr_t>(stack.area().start);
  CTE_CHECK_EQ(overflow_stack_start, start);
  CTE_CHECK(overflow_sp >= start && overflow_sp < start + cte::TargetPlatform::stack_reserve + 1024);
}
