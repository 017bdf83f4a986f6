// Interrupts on bare metal: timer ticks (CLINT in M-mode, SBI TIME in S-mode) and software
// interrupts arrive as Events; an interrupt that arrives while disabled waits and is delivered
// exactly once, at iset(true); a preempted thread gets every register back, FP included.

#include <cte/cte.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "runner.hpp"
#include "support.hpp"

namespace {
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

TEST_CASE("timer: ticks arrive as irq_timer with the mode's cause; start(0) is refused") {
  cte::cte_init(count_ticks);
  CHECK(!cte::timer::start(0));
  ticks = 0;
  ticked_while_disabled = false;
  handler_saw_enabled = false;
  REQUIRE(cte::timer::start(500));
  cte::iset(true);
  const std::uint64_t give_up = cte_test::now_ticks() + 20000000;  // 2 s (QEMU on a busy host)
  while (ticks < 5 && cte_test::now_ticks() < give_up) {
  }
  cte::timer::stop();
  cte::iset(false);
  CHECK(ticks >= 5);
  CHECK_EQ(tick_cause, cte::TargetPlatform::Mode::timer_cause);
  CHECK(!ticked_while_disabled);
  CHECK(!handler_saw_enabled);  // the handler runs with interrupts disabled
}

TEST_CASE("timer: no tick is delivered while interrupts are disabled") {
  cte::cte_init(count_ticks);
  ticks = 0;
  REQUIRE(cte::timer::start(100));
  // QEMU raises the interrupt from its main loop, which may lag the time CSR on a busy host:
  // wait for the pending bit (up to 2 s), then for several more periods.
  const std::uint64_t give_up = cte_test::now_ticks() + 20000000;
  while (!cte::interrupt_pending() && cte_test::now_ticks() < give_up) {
  }
  CHECK(cte::interrupt_pending());
  cte_test::spin_us(1000);
  CHECK_EQ(ticks, 0);
  cte::timer::stop();
}

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
}  // namespace

TEST_CASE("1000 rounds of a tick while disabled -> exactly one delivery, at iset(true)") {
  cte::cte_init(count_where);
  deliveries_inside_iset = 0;
  deliveries_outside_iset = 0;
  for (int round = 1; round <= 1000; ++round) {
    cte::iset(false);
    REQUIRE(cte::timer::start(20));
    while (!cte::interrupt_pending()) {
    }
    cte_test::spin_us(50);  // past further ticks: they coalesce
    cte::timer::stop();
    REQUIRE(cte::interrupt_pending());  // stop() keeps a tick that is already due
    REQUIRE_EQ(deliveries_inside_iset, round - 1);
    inside_iset = true;
    cte::iset(true);
    inside_iset = false;
    REQUIRE_EQ(deliveries_inside_iset, round);
    REQUIRE(!cte::interrupt_pending());
  }
  cte::iset(false);
  CHECK_EQ(deliveries_outside_iset, 0);
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

TEST_CASE("software interrupt -> irq_software when enabled, else at iset(true); 1000 rounds") {
  cte::cte_init(count_software);
  software_interrupts = 0;
  for (int round = 1; round <= 1000; ++round) {
    cte::iset(false);
    cte::TargetPlatform::raise_software_interrupt();
    REQUIRE(cte::interrupt_pending());
    REQUIRE_EQ(software_interrupts, 2 * round - 2);
    cte::iset(true);  // delivered here
    REQUIRE_EQ(software_interrupts, 2 * round - 1);
    // Raised while enabled: taken at the hart's next interrupt check. Through the CLINT
    // (M-mode, a device store) that is a few instructions later, through sip (S-mode) at once.
    cte::TargetPlatform::raise_software_interrupt();
    for (int wait = 0; wait < 1000 && software_interrupts != 2 * round; ++wait) {
    }
    REQUIRE_EQ(software_interrupts, 2 * round);
  }
  cte::iset(false);
  CHECK_EQ(software_cause, cte::TargetPlatform::Mode::software_cause);
  CHECK(!cte::interrupt_pending());
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
cte_test::Stack<16 * 1024> ie_stack;
}  // namespace

TEST_CASE("the interrupt-enable state is part of the Context and comes back on resume") {
  ie_thread = cte::kcontext(ie_stack.area(), disabling_thread, nullptr);
  ie_in_thread = false;
  cte::cte_init(ie_ping_pong);
  cte::iset(true);
  cte::yield();  // thread: starts enabled, disables, yields back
  CHECK(cte::ienabled());
  cte::yield();
  cte::iset(false);
  CHECK(thread_started_enabled);
  CHECK(thread_saw_disabled_after_resume);
}

namespace {
// --- preemption torture: threads that never yield hold patterns in every register the
// timer can catch them with.
constexpr int torture_threads = 4;
constexpr long torture_preemptions = 3000;
constexpr std::uint64_t hold_iterations = 5000;

cte::Context *torture_contexts[torture_threads];
cte::Context *torture_boot = nullptr;
int torture_current = -1;
volatile long preemptions = 0;
volatile bool torture_done = false;
long corrupted_words = 0;
long checked_rounds = 0;

std::uint64_t word_pattern(int thread, long round, unsigned word) {
  const std::uint64_t bits =
      (static_cast<std::uint64_t>(thread + 1) << 56) ^ (static_cast<std::uint64_t>(round) << 16) ^ (word * 0x9e37u) ^ 0x5a5a;
  return word == cte_test::held_fcsr_word ? cte_test::fcsr_pattern(bits) : bits;
}

cte::Context *preempting_scheduler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (torture_current < 0) return context;  // the boot context is not part of the rotation
    torture_contexts[torture_current] = context;
    preemptions = preemptions + 1;
    if (preemptions >= torture_preemptions) {
      torture_done = true;
      cte::timer::stop();
    }
    torture_current = (torture_current + 1) % torture_threads;
    return torture_contexts[torture_current];
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
  std::uint64_t table[cte_test::held_words];
  for (long round = 0;; ++round) {
    for (unsigned w = 0; w < cte_test::held_words; ++w) table[w] = word_pattern(index, round, w);
    cte_test_hold_registers(table, hold_iterations);
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      if (table[w] != word_pattern(index, round, w)) ++corrupted_words;
    ++checked_rounds;
    if (torture_done) {
      cte::iset(false);  // no more ticks for this thread: hand over to boot
      cte::yield();
    }
  }
}
cte_test::Stack<16 * 1024> torture_stacks[torture_threads];
}  // namespace

TEST_CASE("preemption torture: 3000 timer preemptions, every GPR, FP register and fcsr intact") {
  for (int i = 0; i < torture_threads; ++i)
    torture_contexts[i] = cte::kcontext(torture_stacks[i].area(), holding_thread,
                                        reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
  preemptions = 0;
  torture_done = false;
  torture_current = -1;
  corrupted_words = 0;
  checked_rounds = 0;
  cte::cte_init(preempting_scheduler);
  REQUIRE(cte::timer::start(50));
  cte::yield();  // runs the threads (they start with interrupts enabled) until done
  cte::timer::stop();
  CHECK(preemptions >= torture_preemptions);
  CHECK_EQ(corrupted_words, 0);
  CHECK(checked_rounds > torture_threads);
  cte_bm::print("    ");
  cte_bm::print_dec(static_cast<std::uint64_t>(preemptions));
  cte_bm::print(" preemptions, ");
  cte_bm::print_dec(static_cast<std::uint64_t>(checked_rounds));
  cte_bm::print(" probe rounds checked\n");
}
