// Voluntary traps (yield, syscall) are calls that save a voluntary frame, not hardware traps
// (privileged/voluntary_entry.hpp): what that design must still get right.
//  - switching between a voluntary Context and an asynchronous (preempted) one, both ways,
//    leaves every register of both sides intact;
//  - fcsr belongs to the thread: the handler's FP flags and rounding mode never reach it, on
//    the same-Context return as after a switch;
//  - a handler's edits of a yielding Context (interrupt state, pc) take effect on the
//    same-Context return path too.

#include <cte/cte.hpp>

#include <cstdint>

#include <register_check.hpp>

#include "support/cte_test.hpp"
#include "support.hpp"
#include "trap_probes.hpp"

namespace {

// --- voluntary <-> asynchronous: boot yields (callee-saved patterns live across the yield),
// the handler resumes a thread that holds patterns in every register and is preempted by the
// timer, and each tick switches back to boot.
constexpr int mixed_rounds = 300;
constexpr std::uint64_t mixed_hold_iterations = 2000;

cte::Context *mixed_boot = nullptr;
cte::Context *mixed_holder = nullptr;
bool mixed_holder_running = false;
long mixed_corrupted_words = 0;
long mixed_holder_rounds = 0;
long mixed_preemptions = 0;

std::uint64_t mixed_pattern(long round, unsigned word) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(round) << 20) ^ (word * 0x9e3779b9u) ^ 0xc3c3;
  return word == cte_test::held_fcsr_word ? cte_test::fcsr_pattern(bits) : bits;
}

cte::Context *mixed_scheduler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield && !mixed_holder_running) {
    mixed_boot = context;  // voluntary
    mixed_holder_running = true;
    return mixed_holder;  // asynchronous after its first tick (at first: its kcontext frame)
  }
  if (event.kind == cte::EventKind::irq_timer && mixed_holder_running) {
    mixed_holder = context;  // asynchronous
    ++mixed_preemptions;
    mixed_holder_running = false;
    return mixed_boot;
  }
  return context;
}

void mixed_holding_thread(void *) {
  std::uint64_t table[cte_test::held_words];
  for (long round = 0;; ++round) {
    for (unsigned w = 0; w < cte_test::held_words; ++w) table[w] = mixed_pattern(round, w);
    cte_test_hold_registers(table, mixed_hold_iterations);
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      if (table[w] != mixed_pattern(round, w)) ++mixed_corrupted_words;
    ++mixed_holder_rounds;
  }
}
cte_test::Stack<16 * 1024> mixed_stack;

void yield_once(void *) { cte::yield(); }

}  // namespace

CTE_TEST_CASE("yield switches to a preempted Context and a tick back, 300 rounds: both keep every register") {
  mixed_holder = cte::kcontext(mixed_stack.area(), mixed_holding_thread, nullptr);
  CTE_REQUIRE(mixed_holder != nullptr);
  mixed_holder_running = false;
  mixed_corrupted_words = mixed_holder_rounds = mixed_preemptions = 0;
  cte::cte_init(mixed_scheduler);
  cte::iset(false);  // boot runs with interrupts off: ticks only ever preempt the holder
  CTE_REQUIRE(cte::timer::start(50));
  std::uint64_t boot_mask = 0;
  for (int round = 1; round <= mixed_rounds; ++round)
    boot_mask |= cte_test_call_with_patterns(yield_once, nullptr, static_cast<std::uint64_t>(round));
  cte::timer::stop();
  CTE_CHECK_EQ(boot_mask, 0);
  CTE_CHECK_EQ(mixed_corrupted_words, 0);
  CTE_CHECK_EQ(mixed_preemptions, mixed_rounds);
  CTE_CHECK(mixed_holder_rounds > 0);
}

namespace {
// --- fcsr: thread-owned. The handler raises every FP flag and changes the rounding mode.
std::uint64_t read_fcsr() {
  std::uint64_t value;
  asm volatile("frcsr %0" : "=r"(value));
  return value;
}
void write_fcsr(std::uint64_t value) { asm volatile("fscsr %0" ::"r"(value)); }
constexpr std::uint64_t all_flags = 0x1f;
constexpr std::uint64_t round_towards_zero = 1;
constexpr unsigned frm_shift = 5;

cte::Context *fcsr_boot = nullptr;
cte::Context *fcsr_thread = nullptr;
bool fcsr_switching = false;
bool fcsr_in_thread = false;

cte::Context *fcsr_polluting_handler(cte::Event event, cte::Context *context) {
  write_fcsr((round_towards_zero << frm_shift) | all_flags);
  if (event.kind != cte::EventKind::yield || !fcsr_switching) return context;
  (fcsr_in_thread ? fcsr_thread : fcsr_boot) = context;
  fcsr_in_thread = !fcsr_in_thread;
  return fcsr_in_thread ? fcsr_thread : fcsr_boot;
}

constexpr std::uint64_t thread_fcsr = cte_test::fcsr_pattern(0x2a);
bool thread_fcsr_kept = false;
void fcsr_thread_main(void *) {
  write_fcsr(thread_fcsr);
  cte::yield();
  thread_fcsr_kept = read_fcsr() == thread_fcsr;
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> fcsr_stack;
}  // namespace

CTE_TEST_CASE("fcsr is the thread's: the handler's flags and rounding mode stay in the handler") {
  cte::cte_init(fcsr_polluting_handler);
  fcsr_switching = false;
  for (std::uint64_t bits = 0; bits < 40; ++bits) {  // the same Context back
    const std::uint64_t mine = cte_test::fcsr_pattern(bits);
    write_fcsr(mine);
    cte::yield();
    CTE_CHECK_EQ(read_fcsr(), mine);
  }
  fcsr_thread = cte::kcontext(fcsr_stack.area(), fcsr_thread_main, nullptr);
  CTE_REQUIRE(fcsr_thread != nullptr);
  fcsr_in_thread = false;
  fcsr_switching = true;
  const std::uint64_t mine = cte_test::fcsr_pattern(0x13);
  write_fcsr(mine);
  cte::yield();  // to the thread, which sets its own fcsr and yields back
  CTE_CHECK_EQ(read_fcsr(), mine);
  cte::yield();  // to the thread again: it checks its fcsr
  CTE_CHECK(thread_fcsr_kept);
  CTE_CHECK_EQ(read_fcsr(), mine);
  fcsr_switching = false;
  write_fcsr(0);
}

namespace {
// --- handler edits of the yielding Context on the same-Context return.
cte::Context *enabling_handler(cte::Event, cte::Context *context) {
  context->set_interrupts_enabled(true);
  return context;
}
std::uintptr_t redirect_target = 0;
cte::Context *redirecting_handler(cte::Event, cte::Context *context) {
  context->set_pc(redirect_target);
  return context;
}
volatile int redirected = 0;
// Resumed here instead of after the yield: ra still holds the yield's return address (a
// voluntary resume restores ra), so returning from here continues after the yield.
extern "C" void cte_test_redirect_landing() { redirected = redirected + 1; }
}  // namespace

CTE_TEST_CASE("a handler's edits of a yielding Context take effect: interrupt state and pc") {
  cte::cte_init(enabling_handler);
  cte::iset(false);
  cte::yield();
  const bool enabled = cte::ienabled();
  cte::iset(false);
  CTE_CHECK(enabled);

  redirected = 0;
  redirect_target = reinterpret_cast<std::uintptr_t>(&cte_test_redirect_landing);
  cte::cte_init(redirecting_handler);
  cte::yield();
  CTE_CHECK_EQ(redirected, 1);
}
