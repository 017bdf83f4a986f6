// Hosted interrupts: timer ticks arrive as Events; interrupts that arrive while disabled (or
// while the thread is in libc) wait and are delivered exactly once, never while disabled.
// (Preemption of threads: tests/shared/preemption_torture_test.cpp.)

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "support/stacks.hpp"

namespace {
std::atomic<long> ticks{0};
std::atomic<bool> ticked_while_disabled{false};

cte::Context *count_ticks(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    ++ticks;
    if (!context->interrupts_enabled()) ticked_while_disabled = true;
  }
  return context;
}

void spin_until(long target) {
  while (ticks < target) {
  }
}
}  // namespace

TEST_CASE("hosted timer: ticks arrive as irq_timer; start(0) is refused") {
  cte::cte_init(count_ticks);
  CHECK_FALSE(cte::timer::start(0));
  ticks = 0;
  cte::iset(true);
  REQUIRE(cte::timer::start(1000));
  spin_until(5);
  cte::timer::stop();
  cte::iset(false);
  CHECK(ticks >= 5);
  CHECK_FALSE(ticked_while_disabled);
}

namespace {
std::atomic<bool> inside_iset{false};
std::atomic<long> deliveries_inside_iset{0};
std::atomic<long> deliveries_outside_iset{0};

cte::Context *count_where(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (inside_iset)
      ++deliveries_inside_iset;
    else
      ++deliveries_outside_iset;
  }
  return context;
}
}  // namespace

TEST_CASE("hosted: 1000 rounds of a tick while disabled -> exactly one delivery, at iset(true)") {
  cte::cte_init(count_where);
  deliveries_inside_iset = 0;
  deliveries_outside_iset = 0;
  for (int round = 1; round <= 1000; ++round) {
    cte::iset(false);
    REQUIRE(cte::timer::start(100));
    while (!cte::interrupt_pending()) {
    }
    for (int i = 0; i < 2000; ++i) asm volatile("");  // wait past further ticks: they coalesce
    cte::timer::stop();
    REQUIRE(deliveries_inside_iset == round - 1);
    inside_iset = true;
    cte::iset(true);
    inside_iset = false;
    REQUIRE(deliveries_inside_iset == round);
    REQUIRE_FALSE(cte::interrupt_pending());
  }
  cte::iset(false);
  CHECK(deliveries_outside_iset == 0);
}

namespace {
std::atomic<long> ticks_in_libc{0};
std::atomic<long> ticks_total{0};
cte::Context *check_not_in_libc(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    ++ticks_total;
    if (!cte::detail::hosted::in_program_text(context->pc())) ++ticks_in_libc;
  }
  return context;
}
}  // namespace

TEST_CASE("hosted: an interrupt arriving inside libc is deferred to the program's code, not dropped") {
  cte::cte_init(check_not_in_libc);
  static std::vector<char> buffer(16 << 10, 'x');
  ticks_total = 0;
  ticks_in_libc = 0;
  cte::iset(true);
  REQUIRE(cte::timer::start(50));
  std::size_t total = 0;
  while (ticks_total < 100) {
    std::memset(buffer.data(), static_cast<int>(total & 0x7f) + 1, buffer.size());  // most time is spent in libc
    total += std::strlen(buffer.data() + buffer.size() - 64) > 0 ? 1 : 0;
  }
  cte::timer::stop();
  cte::iset(false);
  CHECK(ticks_in_libc == 0);
  CHECK(ticks_total >= 100);
}

namespace {
cte::Context *ie_boot = nullptr;
cte::Context *ie_thread = nullptr;
bool ie_in_thread = false;
bool thread_saw_disabled_after_resume = false;
cte::Context *ie_ping_pong(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return context;
  (ie_in_thread ? ie_thread : ie_boot) = context;
  ie_in_thread = !ie_in_thread;
  return ie_in_thread ? ie_thread : ie_boot;
}
void disabling_thread(void *) {
  cte::iset(false);
  cte::yield();
  thread_saw_disabled_after_resume = !cte::ienabled();
  for (;;) cte::yield();
}
}  // namespace

TEST_CASE("hosted: the interrupt-enable state is part of the Context and comes back on resume") {
  cte_test::Stack stack;
  ie_thread = cte::kcontext(stack.area(), disabling_thread, nullptr);
  ie_in_thread = false;
  cte::cte_init(ie_ping_pong);
  cte::iset(true);
  cte::yield();  // thread disables, yields back
  CHECK(cte::ienabled());
  cte::yield();
  CHECK(thread_saw_disabled_after_resume);
  CHECK(cte::ienabled());
  cte::iset(false);
}
