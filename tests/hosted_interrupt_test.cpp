// Hosted interrupts: timer ticks arrive as Events, never while disabled; one that arrives
// while the thread is in libc waits for the program's code.
// (Shared with the boards: tests/shared/interrupt_test.cpp, preemption_torture_test.cpp.)

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>


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
