// Every thread owns its FP rounding mode (riscv64 fcsr.frm, aarch64 FPCR.RMode, x86_64 MXCSR
// and the x87 control word) across yield, and across the fast switch when it asks for it.
// (Callee-saved registers: tests/shared/register_test.cpp; the hosted twin of these cases,
// through <cfenv>: tests/fenv_test.cpp.)

#include <cte/cte.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support/cte_test.hpp"
#include "support.hpp"

namespace {
// The ISA's rounding-mode control (tests/baremetal/<isa>/trap_probes.hpp): no libc <cfenv>.
using cte_test::fp::round_down;
using cte_test::fp::round_to_nearest;
using cte_test::fp::round_up;
std::uint64_t get_round() { return cte_test::fp::get_rounding(); }
void set_round(std::uint64_t mode) { cte_test::fp::set_rounding(mode); }
volatile double one = 1.0, three = 3.0;
double third() { return one / three; }

cte::FastContext boot_fast, thread_fast;
std::uint64_t thread_round_seen_fast = 99;
bool thread_rounding_correct_fast = false;

constexpr auto per_thread = cte::FpControls::per_thread;

void fast_rounding_thread(void *) {
  thread_round_seen_fast = get_round();  // the mode live at its first switch-in
  set_round(round_down);
  const double down = third();
  cte::fast_switch<per_thread>(thread_fast, boot_fast);
  thread_rounding_correct_fast = get_round() == round_down && third() == down;
  for (;;) cte::fast_switch<per_thread>(thread_fast, boot_fast);
}

// Default switches share frm: each side sees what the other left.
std::uint64_t shared_round_seen_after_switch = 99;
void shared_rounding_thread(void *) {
  set_round(round_down);
  cte::fast_switch(thread_fast, boot_fast);
  shared_round_seen_after_switch = get_round();
  for (;;) cte::fast_switch(thread_fast, boot_fast);
}

cte::Context *rounding_boot = nullptr;
cte::Context *rounding_thread = nullptr;
bool rounding_in_thread = false;
std::uint64_t thread_round_seen_yield = 99;
bool thread_rounding_correct_yield = false;

cte::Context *rounding_ping_pong(cte::Event, cte::Context *context) {
  (rounding_in_thread ? rounding_thread : rounding_boot) = context;
  rounding_in_thread = !rounding_in_thread;
  return rounding_in_thread ? rounding_thread : rounding_boot;
}

void yield_rounding_thread(void *) {
  thread_round_seen_yield = get_round();  // a kcontext thread starts with the default
  set_round(round_down);
  cte::yield();
  thread_rounding_correct_yield = get_round() == round_down;
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> rounding_fast_stack, rounding_yield_stack;
}  // namespace

CTE_TEST_CASE("fast switch with FpControls::per_thread: each thread keeps its own rounding mode") {
  set_round(round_to_nearest);
  CTE_REQUIRE(cte::make_fast_context(thread_fast, rounding_fast_stack.area(), fast_rounding_thread, nullptr));
  set_round(round_up);
  const double up = third();
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CTE_CHECK_EQ(thread_round_seen_fast, round_up);
  CTE_CHECK_EQ(get_round(), round_up);
  CTE_CHECK(third() == up);
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CTE_CHECK(thread_rounding_correct_fast);
  CTE_CHECK_EQ(get_round(), round_up);
  set_round(round_to_nearest);
}

CTE_TEST_CASE("fast switch by default: threads share the rounding mode") {
  CTE_REQUIRE(cte::make_fast_context(thread_fast, rounding_fast_stack.area(), shared_rounding_thread, nullptr));
  set_round(round_up);
  cte::fast_switch(boot_fast, thread_fast);
  CTE_CHECK_EQ(get_round(), round_down);  // the thread's change is visible here
  set_round(round_up);
  cte::fast_switch(boot_fast, thread_fast);
  CTE_CHECK_EQ(shared_round_seen_after_switch, round_up);  // and ours there
  set_round(round_to_nearest);
}

CTE_TEST_CASE("yield: each thread keeps its own rounding mode; kcontext threads start round-to-nearest") {
  rounding_thread = cte::kcontext(rounding_yield_stack.area(), yield_rounding_thread, nullptr);
  rounding_in_thread = false;
  cte::cte_init(rounding_ping_pong);
  set_round(round_up);
  cte::yield();
  CTE_CHECK_EQ(thread_round_seen_yield, round_to_nearest);
  CTE_CHECK_EQ(get_round(), round_up);
  cte::yield();
  CTE_CHECK(thread_rounding_correct_yield);
  CTE_CHECK_EQ(get_round(), round_up);
  set_round(round_to_nearest);
}
