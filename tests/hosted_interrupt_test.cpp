// Hosted interrupts: timer ticks arrive as Events, never while disabled; one that arrives
// while the thread is in libc waits for the program's code.
// (Shared with the boards: tests/shared/interrupt_test.cpp, preemption_torture_test.cpp.)

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <trap_probes.hpp>

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
// A handler may return any Context, also one it copied out of the trapped thread's stack:
// resuming must read the copy, never run code below it (static storage is no stack).
alignas(cte::Context) unsigned char copied_context[sizeof(cte::Context)];
std::atomic<long> copied_yields{0}, copied_ticks{0};

cte::Context *resume_a_copy(cte::Event event, cte::Context *context) {
  std::memcpy(copied_context, static_cast<const void *>(context), sizeof(cte::Context));
  auto *copy = reinterpret_cast<cte::Context *>(copied_context);
  switch (event.kind) {
    case cte::EventKind::syscall: copy->set_return(copy->arg(0) * 3); break;
    case cte::EventKind::yield: ++copied_yields; break;
    case cte::EventKind::irq_timer: ++copied_ticks; break;
    default: std::abort();  // a fault: the resume ran astray
  }
  return copy;
}

// Spins with the timer on until `counter` reaches `target`; true if a value held in the
// spinning code came through every preemption intact.
bool preempted_until(const std::atomic<long> &counter, long target) {
  volatile double kept = 1.25;
  cte::iset(true);
  if (!cte::timer::start(1000)) return false;
  while (counter < target) kept = kept * 1.0;
  cte::timer::stop();
  cte::iset(false);
  return kept == 1.25;
}
}  // namespace

TEST_CASE("hosted: a Context the handler copies to static storage resumes from the copy") {
  volatile double kept = 1.25;  // lives in a register or on the stack across every resume
  std::uintptr_t sum = 0;
  copied_yields.store(0);
  copied_ticks.store(0);
  cte::cte_init(resume_a_copy);
  for (std::uintptr_t i = 0; i < 100; ++i) {
    cte::yield();
    sum += cte::syscall(7, i);
  }
  CHECK(copied_yields == 100);
  CHECK(sum == 3 * (99 * 100 / 2));
  CHECK(preempted_until(copied_ticks, 5));
  CHECK(kept == 1.25);
}

namespace {
// The asynchronous case: a preempted thread's Context, parked as a copy outside any stack, is
// resumed later from a voluntary trap, through the port's restore and its exact resume. The
// copy sits at the bottom of a mapping with an inaccessible page below, so code running below
// it faults at once instead of corrupting what lies there.
cte::GuardedStack &parking() {
  static cte::GuardedStack storage(sizeof(cte::Context));
  return storage;
}
cte::Context *parked_context() { return static_cast<cte::Context *>(parking().area().start); }
cte::Context *yielding_thread;
bool yielding_thread_runs = false;
std::atomic<long> parked_rounds{0};

cte::Context *park_a_copy(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (yielding_thread_runs) return context;
    yielding_thread_runs = true;
    std::memcpy(static_cast<void *>(parked_context()), static_cast<const void *>(context), sizeof(cte::Context));
    return yielding_thread;
  }
  if (event.kind != cte::EventKind::yield) std::abort();  // a fault: the resume ran astray
  yielding_thread_runs = false;
  yielding_thread = context;
  ++parked_rounds;
  return parked_context();
}

[[noreturn]] void yield_forever(void *) {
  for (;;) cte::yield();
}
}  // namespace

TEST_CASE("hosted: a preempted Context parked as a copy outside any stack resumes from a yield") {
  parked_rounds.store(0);
  yielding_thread_runs = false;
  REQUIRE(parking().valid());
  cte_test::Stack stack;
  yielding_thread = cte::kcontext(stack.area(), yield_forever, nullptr);
  cte::cte_init(park_a_copy);
  CHECK(preempted_until(parked_rounds, 20));
}
