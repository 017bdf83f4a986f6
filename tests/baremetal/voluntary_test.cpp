// Voluntary traps (yield, syscall) on every board, whichever path the board takes them on (a
// call that saves a voluntary frame, as riscv64's privileged/voluntary_entry.hpp, or a trap
// instruction): what every such path must get right.
//  - switching between a voluntary Context and an asynchronous (preempted) one, both ways,
//    leaves every register of both sides intact;
//  - the FP controls belong to the thread (tests/baremetal/<isa>/trap_probes.hpp: cte_test::fp):
//    the handler's FP flags and rounding mode never reach it, on the same-Context return as
//    after a switch;
//  - a handler's edits of a yielding Context (interrupt state, pc) take effect on the
//    same-Context return path too.

#include <cte/cte.hpp>

#include <cstdint>

#include <register_check.hpp>
#include <trap_probes.hpp>

#include "support/cte_test.hpp"
#include "support.hpp"

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
  return cte_test::held_pattern(word, bits);
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
// --- FP controls: thread-owned. The handler raises every FP flag and changes the rounding mode.
using cte_test::fp::read_controls;
using cte_test::fp::write_controls;

cte::Context *controls_boot = nullptr;
cte::Context *controls_thread = nullptr;
bool controls_switching = false;
bool controls_in_thread = false;

cte::Context *polluting_handler(cte::Event event, cte::Context *context) {
  write_controls(cte_test::fp::polluted_controls);
  if (event.kind != cte::EventKind::yield || !controls_switching) return context;
  (controls_in_thread ? controls_thread : controls_boot) = context;
  controls_in_thread = !controls_in_thread;
  return controls_in_thread ? controls_thread : controls_boot;
}

constexpr std::uint64_t thread_controls = cte_test::fp::controls_pattern(0x2a);
bool thread_controls_kept = false;
void controls_thread_main(void *) {
  write_controls(thread_controls);
  cte::yield();
  thread_controls_kept = read_controls() == thread_controls;
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> controls_stack;
}  // namespace

CTE_TEST_CASE("the FP controls are the thread's: the handler's flags and rounding mode stay in the handler") {
  const std::uint64_t initial = read_controls();
  cte::cte_init(polluting_handler);
  controls_switching = false;
  for (std::uint64_t bits = 0; bits < 40; ++bits) {  // the same Context back, after yield and syscall
    const std::uint64_t mine = cte_test::fp::controls_pattern(bits);
    write_controls(mine);
    cte::yield();
    CTE_CHECK_EQ(read_controls(), mine);
    cte::syscall(bits);
    CTE_CHECK_EQ(read_controls(), mine);
  }
  controls_thread = cte::kcontext(controls_stack.area(), controls_thread_main, nullptr);
  CTE_REQUIRE(controls_thread != nullptr);
  controls_in_thread = false;
  controls_switching = true;
  const std::uint64_t mine = cte_test::fp::controls_pattern(0x13);
  write_controls(mine);
  cte::yield();  // to the thread, which sets its own controls and yields back
  CTE_CHECK_EQ(read_controls(), mine);
  cte::yield();  // to the thread again: it checks its controls
  CTE_CHECK(thread_controls_kept);
  CTE_CHECK_EQ(read_controls(), mine);
  controls_switching = false;
  write_controls(initial);
}

namespace {
// --- handler edits of the yielding Context on the same-Context return.
cte::Context *enabling_handler(cte::Event, cte::Context *context) {
  context->set_interrupts_enabled(true);
  return context;
}

// A thread yields; the handler moves its pc to a landing function and resumes the same Context
// there. The landing never returns (the stack it runs on is the yielding code's, with no
// return address for it): it records that it ran and yields back to boot for good.
cte::Context *redirect_boot = nullptr;
cte::Context *redirect_thread = nullptr;
int redirect_step = 0;
volatile int redirected = 0;
volatile bool ran_past_the_yield = false;

[[noreturn]] void redirect_landing() {
  redirected = redirected + 1;
  for (;;) cte::yield();
}
cte::Context *redirecting_handler(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return context;
  switch (redirect_step++) {
    case 0:  // boot's yield: run the thread
      redirect_boot = context;
      return redirect_thread;
    case 1:  // the thread's yield: the same Context, elsewhere
      context->set_pc(reinterpret_cast<std::uintptr_t>(&redirect_landing));
      return context;
    default:  // the landing's yield: back to boot
      return redirect_boot;
  }
}
void redirected_thread(void *) {
  cte::yield();
  ran_past_the_yield = true;
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> redirect_stack;
}  // namespace

CTE_TEST_CASE("a handler's edits of a yielding Context take effect: interrupt state and pc") {
  cte::cte_init(enabling_handler);
  cte::iset(false);
  cte::yield();
  const bool enabled = cte::ienabled();
  cte::iset(false);
  CTE_CHECK(enabled);

  redirect_thread = cte::kcontext(redirect_stack.area(), redirected_thread, nullptr);
  CTE_REQUIRE(redirect_thread != nullptr);
  redirect_step = 0;
  redirected = 0;
  ran_past_the_yield = false;
  cte::cte_init(redirecting_handler);
  cte::yield();
  CTE_CHECK_EQ(redirected, 1);
  CTE_CHECK(!ran_past_the_yield);
  CTE_CHECK_EQ(redirect_step, 3);
}
