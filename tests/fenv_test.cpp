// FP control policy: with yield every thread owns its FP control state (x86_64 MXCSR + x87
// control word, riscv64 fcsr.frm, aarch64 FPCR); so does a fast-switch thread that switches
// with FpControls::per_thread. A rounding mode set in one thread is invisible to the others
// and comes back to it. The default fast switch (FpControls::shared) leaves the controls
// alone: threads see each other's rounding mode.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cfenv>

#include "support/stacks.hpp"

namespace {

// Divides in a way the compiler cannot fold, so the current rounding mode decides the result.
volatile double one = 1.0, three = 3.0;
double third() { return one / three; }

cte::FastContext boot_fast, thread_fast;
int thread_round_seen_fast = -1;
bool thread_rounding_correct_fast = false;

constexpr auto per_thread = cte::FpControls::per_thread;

void fast_rounding_thread(void *) {
  thread_round_seen_fast = std::fegetround();  // the mode live at its first switch-in
  std::fesetround(FE_DOWNWARD);
  const double down = third();
  cte::fast_switch<per_thread>(thread_fast, boot_fast);
  thread_rounding_correct_fast = std::fegetround() == FE_DOWNWARD && third() == down;
  cte::fast_switch<per_thread>(thread_fast, boot_fast);
  for (;;) cte::fast_switch<per_thread>(thread_fast, boot_fast);
}

// Default switches: the thread sets a mode, and each side sees what the other left.
int shared_round_seen_at_start = -1;
int shared_round_seen_after_switch = -1;
void shared_rounding_thread(void *) {
  shared_round_seen_at_start = std::fegetround();
  std::fesetround(FE_TOWARDZERO);
  cte::fast_switch(thread_fast, boot_fast);
  shared_round_seen_after_switch = std::fegetround();
  for (;;) cte::fast_switch(thread_fast, boot_fast);
}

cte::Context *boot_context = nullptr;
cte::Context *rounding_thread = nullptr;
bool in_thread = false;
int thread_round_seen_yield = -1;
bool thread_rounding_correct_yield = false;

cte::Context *ping_pong(cte::Event, cte::Context *context) {
  (in_thread ? rounding_thread : boot_context) = context;
  in_thread = !in_thread;
  return in_thread ? rounding_thread : boot_context;
}

void yield_rounding_thread(void *) {
  thread_round_seen_yield = std::fegetround();  // a kcontext thread starts with the default
  std::fesetround(FE_DOWNWARD);
  cte::yield();
  thread_rounding_correct_yield = std::fegetround() == FE_DOWNWARD;
  for (;;) cte::yield();
}

}  // namespace

TEST_CASE("fast switch with FpControls::per_thread: each thread keeps its own rounding mode") {
  cte_test::Stack stack;
  REQUIRE(std::fesetround(FE_TONEAREST) == 0);
  REQUIRE(cte::make_fast_context(thread_fast, stack.area(), fast_rounding_thread, nullptr));
  REQUIRE(std::fesetround(FE_UPWARD) == 0);
  const double up = third();
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CHECK(thread_round_seen_fast == FE_UPWARD);
  CHECK(std::fegetround() == FE_UPWARD);
  CHECK(third() == up);
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CHECK(thread_rounding_correct_fast);
  CHECK(std::fegetround() == FE_UPWARD);
  std::fesetround(FE_TONEAREST);
}

TEST_CASE("fast switch by default: threads share the rounding mode") {
  cte_test::Stack stack;
  REQUIRE(cte::make_fast_context(thread_fast, stack.area(), shared_rounding_thread, nullptr));
  REQUIRE(std::fesetround(FE_UPWARD) == 0);
  cte::fast_switch(boot_fast, thread_fast);
  CHECK(shared_round_seen_at_start == FE_UPWARD);
  CHECK(std::fegetround() == FE_TOWARDZERO);  // the thread's change is visible here
  REQUIRE(std::fesetround(FE_DOWNWARD) == 0);
  cte::fast_switch(boot_fast, thread_fast);
  CHECK(shared_round_seen_after_switch == FE_DOWNWARD);  // and ours there
  std::fesetround(FE_TONEAREST);
}

TEST_CASE("yield: each thread keeps its own rounding mode, and kcontext threads start round-to-nearest") {
  cte_test::Stack stack;
  rounding_thread = cte::kcontext(stack.area(), yield_rounding_thread, nullptr);
  in_thread = false;
  cte::cte_init(ping_pong);
  REQUIRE(std::fesetround(FE_UPWARD) == 0);
  cte::yield();
  CHECK(thread_round_seen_yield == FE_TONEAREST);
  CHECK(std::fegetround() == FE_UPWARD);
  cte::yield();
  CHECK(thread_rounding_correct_yield);
  CHECK(std::fegetround() == FE_UPWARD);
  std::fesetround(FE_TONEAREST);
}
