// Hosted interrupts: timer ticks preempt threads; interrupts that arrive while disabled (or
// while the thread is in libc) wait and are delivered exactly once, never while disabled.

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
// --- preemption torture
constexpr int torture_threads = 4;
constexpr long torture_preemptions = 100000;
constexpr std::uint64_t hold_iterations = 100;  // short rounds: a round completes even in the tiny slices a loaded emulator leaves between ticks
// Longer than one preemption costs even under a loaded emulator, so threads progress between ticks.
constexpr std::uint64_t torture_tick_us = 200;

std::vector<cte::Context *> torture_contexts;
cte::Context *torture_boot = nullptr;
int torture_current = -1;
std::atomic<long> preemptions{0};
std::atomic<bool> torture_done{false};
long corrupted_words = 0;
long checked_rounds = 0;

std::uint64_t word_pattern(int thread, long round, unsigned word) {
  return (static_cast<std::uint64_t>(thread + 1) << 56) ^ (static_cast<std::uint64_t>(round) << 16) ^ (word * 0x9e37u) ^ 0x5a5a;
}

cte::Context *preempting_scheduler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (torture_current < 0) return context;  // the boot context is not part of the rotation
    torture_contexts[static_cast<std::size_t>(torture_current)] = context;
    if (++preemptions >= torture_preemptions) {
      torture_done = true;
      cte::timer::stop();
    }
    torture_current = (torture_current + 1) % torture_threads;
    return torture_contexts[static_cast<std::size_t>(torture_current)];
  }
  if (event.kind == cte::EventKind::yield) {
    if (torture_current < 0) {  // boot starts the threads
      torture_boot = context;
      torture_current = 0;
      return torture_contexts[0];
    }
    torture_current = -1;  // a thread saw torture_done: back to boot
    return torture_boot;
  }
  return context;
}

void holding_thread(void *index_pointer) {
  const int index = static_cast<int>(reinterpret_cast<std::uintptr_t>(index_pointer));
  constexpr unsigned words = cte_test::held_gpr_words + cte_test::held_fp_words;
  std::uint64_t table[words];
  for (long round = 0;; ++round) {
    for (unsigned w = 0; w < words; ++w) table[w] = word_pattern(index, round, w);
    cte_test_hold_registers(table, hold_iterations);
    for (unsigned w = 0; w < words; ++w)
      if (table[w] != word_pattern(index, round, w)) ++corrupted_words;
    ++checked_rounds;
    if (torture_done) {
      cte::iset(false);  // no more ticks for this thread: hand over to boot
      cte::yield();
    }
  }
}
}  // namespace

TEST_CASE("hosted preemption torture: 10^5 timer preemptions, every GPR and FP register intact") {
  std::vector<std::unique_ptr<cte_test::Stack>> stacks;
  torture_contexts.clear();
  for (int i = 0; i < torture_threads; ++i) {
    stacks.push_back(std::make_unique<cte_test::Stack>(128 * 1024));
    torture_contexts.push_back(cte::kcontext(stacks.back()->area(), holding_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i))));
  }
  preemptions = 0;
  torture_done = false;
  torture_current = -1;
  cte::cte_init(preempting_scheduler);
  cte::iset(false);
  REQUIRE(cte::timer::start(torture_tick_us));
  cte::yield();  // runs the threads (they start with interrupts enabled) until done
  cte::timer::stop();
  cte::iset(false);
  CHECK(preemptions >= torture_preemptions);
  CHECK(corrupted_words == 0);
  CHECK(checked_rounds > 10 * torture_threads);  // the registers really were checked, many times
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
cte::hosted::GuardedStack &parking() {
  static cte::hosted::GuardedStack storage(sizeof(cte::Context));
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
