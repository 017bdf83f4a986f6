// Interrupts on every platform: a tick that arrives while interrupts are disabled waits and is
// delivered exactly once, at iset(true); the interrupt-enable state belongs to each thread.
// (Platform-only interrupt tests: tests/hosted_interrupt_test.cpp, tests/baremetal/.)

#include <cte/cte.hpp>

#include <cstdint>

#include "support/cte_test.hpp"
#include "support/static_stack.hpp"

namespace {
volatile bool inside_iset = false;
volatile long deliveries_inside_iset = 0;
volatile long deliveries_outside_iset = 0;

cte::Context *count_where(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (inside_iset)
      deliveries_inside_iset = deliveries_inside_iset + 1;
    else
      deliveries_outside_iset = deliveries_outside_iset + 1;
  }
  return context;
}
// Fast enough that the 1000 rounds take well under a second on every platform.
constexpr std::uint64_t pending_tick_us = cte_test::bare_metal ? 20 : 100;
}  // namespace

CTE_TEST_CASE("1000 rounds of a tick while disabled -> exactly one delivery, at iset(true)") {
  cte::cte_init(count_where);
  deliveries_inside_iset = 0;
  deliveries_outside_iset = 0;
  for (int round = 1; round <= 1000; ++round) {
    cte::iset(false);
    CTE_REQUIRE(cte::timer::start(pending_tick_us));
    while (!cte::interrupt_pending()) {
    }
    for (int i = 0; i < 2000; ++i) asm volatile("");  // more ticks may come meanwhile: they coalesce
    cte::timer::stop();
    CTE_REQUIRE(cte::interrupt_pending());  // stop() keeps a tick that is already due
    CTE_REQUIRE_EQ(deliveries_inside_iset, round - 1);
    inside_iset = true;
    cte::iset(true);
    inside_iset = false;
    CTE_REQUIRE_EQ(deliveries_inside_iset, round);
    CTE_REQUIRE(!cte::interrupt_pending());
  }
  cte::iset(false);
  CTE_CHECK_EQ(deliveries_outside_iset, 0);
}

namespace {
cte::Context *ie_boot = nullptr;
cte::Context *ie_thread = nullptr;
bool ie_in_thread = false;
bool thread_started_enabled = false;
bool thread_saw_disabled_after_resume = false;

cte::Context *ie_ping_pong(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return context;
  (ie_in_thread ? ie_thread : ie_boot) = context;
  ie_in_thread = !ie_in_thread;
  return ie_in_thread ? ie_thread : ie_boot;
}
void disabling_thread(void *) {
  thread_started_enabled = cte::ienabled();
  cte::iset(false);
  cte::yield();
  thread_saw_disabled_after_resume = !cte::ienabled();
  for (;;) cte::yield();
}
cte_test::StaticStack<cte_test::thread_stack_size> ie_stack;
}  // namespace

CTE_TEST_CASE("the interrupt-enable state is part of the Context and comes back on resume") {
  ie_thread = cte::kcontext(ie_stack.area(), disabling_thread, nullptr);
  ie_in_thread = false;
  cte::cte_init(ie_ping_pong);
  cte::iset(true);
  cte::yield();  // thread: starts enabled, disables, yields back
  const bool boot_enabled_after_first = cte::ienabled();
  cte::yield();
  const bool boot_enabled_after_second = cte::ienabled();
  cte::iset(false);
  CTE_CHECK(boot_enabled_after_first);
  CTE_CHECK(boot_enabled_after_second);
  CTE_CHECK(thread_started_enabled);
  CTE_CHECK(thread_saw_disabled_after_resume);
}
