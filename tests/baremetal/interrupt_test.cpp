// Interrupts on every board: timer ticks (riscv64: CLINT in M-mode, SBI TIME in S-mode;
// aarch64: the generic timer; pc: the LAPIC timer), software interrupts and the loopback device
// line arrive as Events with the board's raw causes (TargetPlatform::Mode); an interrupt that
// arrives while disabled waits and is delivered exactly once, at iset(true). (Shared with the
// hosted suite: tests/shared/interrupt_test.cpp, preemption_torture_test.cpp.)

#include <cte/cte.hpp>
#include <cte/loopback_irq.hpp>

#include <cstdint>

#include "support/cte_test.hpp"
#include "support.hpp"

namespace {
// Waits with interrupts enabled until `count` reaches `target`, for up to 2 s (QEMU on a busy
// host), and disables them again.
void wait_enabled_for(const volatile long &count, long target) {
  cte::iset(true);
  const std::uint64_t give_up = cte_test::now_ticks() + 20000000;
  while (count < target && cte_test::now_ticks() < give_up) {
  }
  cte::iset(false);
}

volatile long ticks = 0;
volatile bool ticked_while_disabled = false;
volatile bool handler_saw_enabled = false;
std::uint64_t tick_cause = 0;

cte::Context *count_ticks(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    ticks = ticks + 1;
    tick_cause = event.cause;
    if (!context->interrupts_enabled()) ticked_while_disabled = true;
    if (cte::ienabled()) handler_saw_enabled = true;
  }
  return context;
}
}  // namespace

CTE_TEST_CASE("timer: ticks arrive as irq_timer with the mode's cause; start(0) is refused") {
  cte::cte_init(count_ticks);
  CTE_CHECK(!cte::timer::start(0));
  ticks = 0;
  ticked_while_disabled = false;
  handler_saw_enabled = false;
  CTE_REQUIRE(cte::timer::start(500));
  wait_enabled_for(ticks, 5);
  cte::timer::stop();
  CTE_CHECK(ticks >= 5);
  CTE_CHECK_EQ(tick_cause, cte::TargetPlatform::Mode::timer_cause);
  CTE_CHECK(!ticked_while_disabled);
  CTE_CHECK(!handler_saw_enabled);  // the handler runs with interrupts disabled
}

CTE_TEST_CASE("timer: no tick is delivered while interrupts are disabled") {
  cte::cte_init(count_ticks);
  ticks = 0;
  CTE_REQUIRE(cte::timer::start(100));
  // QEMU raises the interrupt from its main loop, which may lag the time CSR on a busy host:
  // wait for the pending bit (up to 2 s), then for several more periods.
  const std::uint64_t give_up = cte_test::now_ticks() + 20000000;
  while (!cte::interrupt_pending() && cte_test::now_ticks() < give_up) {
  }
  CTE_CHECK(cte::interrupt_pending());
  cte_test::spin_us(1000);
  CTE_CHECK_EQ(ticks, 0);
  cte::timer::stop();
}

namespace {
volatile long software_interrupts = 0;
std::uint64_t software_cause = 0;
cte::Context *count_software(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_software) {
    software_interrupts = software_interrupts + 1;
    software_cause = event.cause;
  }
  return context;
}
}  // namespace

CTE_TEST_CASE("software interrupt -> irq_software when enabled, else at iset(true); 1000 rounds") {
  cte::cte_init(count_software);
  software_interrupts = 0;
  for (int round = 1; round <= 1000; ++round) {
    cte::iset(false);
    cte::TargetPlatform::raise_software_interrupt();
    CTE_REQUIRE(cte::interrupt_pending());
    CTE_REQUIRE_EQ(software_interrupts, 2 * round - 2);
    cte::iset(true);  // delivered here
    CTE_REQUIRE_EQ(software_interrupts, 2 * round - 1);
    // Raised while enabled: taken at the hart's next interrupt check. Through the CLINT
    // (M-mode, a device store) that is a few instructions later, through sip (S-mode) at once.
    cte::TargetPlatform::raise_software_interrupt();
    for (int wait = 0; wait < 1000 && software_interrupts != 2 * round; ++wait) {
    }
    CTE_REQUIRE_EQ(software_interrupts, 2 * round);
  }
  cte::iset(false);
  CTE_CHECK_EQ(software_cause, cte::TargetPlatform::Mode::software_cause);
  CTE_CHECK(!cte::interrupt_pending());
}

namespace {
volatile long external_interrupts = 0;
cte::Event last_external{};
cte::Context *count_external(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_external) {
    last_external = event;
    external_interrupts = external_interrupts + 1;
    if (event.ref == cte::loopback_irq::source()) cte::loopback_irq::acknowledge();
  }
  return context;
}
}  // namespace

CTE_TEST_CASE("the loopback device line -> irq_external with ref = its source, acknowledged; 100 rounds") {
  cte::cte_init(count_external);
  external_interrupts = 0;
  for (long round = 1; round <= 100; ++round) {
    CTE_REQUIRE(cte::loopback_irq::raise());
    wait_enabled_for(external_interrupts, round);
    CTE_REQUIRE_EQ(external_interrupts, round);
    CTE_REQUIRE(last_external.kind == cte::EventKind::irq_external);
    CTE_REQUIRE_EQ(last_external.ref, cte::loopback_irq::source());
  }
  CTE_CHECK(!cte::interrupt_pending());
}
