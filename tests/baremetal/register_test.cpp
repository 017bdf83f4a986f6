// Every callee-saved register (GPR and FP) survives the fast switch and yield, while the thread
// on the other side runs with different values in all of them (the probe is
// tests/arch/riscv64/register_check.hpp, shared with the hosted suite), and every thread owns
// its FP control state (fcsr.frm).

#include <cte/cte.hpp>

#include <cstdint>

#include <register_check.hpp>

#include "runner.hpp"
#include "support.hpp"

namespace {

void print_mask(std::uint64_t mask) {
  for (unsigned i = 0; i < cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count; ++i)
    if (mask & (std::uint64_t{1} << i)) {
      cte_bm::print(cte_test::callee_saved_names[i]);
      cte_bm::print(" ");
    }
}

// --- fast switch
cte::FastContext fast_boot, fast_thread;
std::uint64_t thread_mask_fast = 0;
int thread_rounds_fast = 0;

void switch_to_boot(void *) { cte::fast_switch(fast_thread, fast_boot); }
void switch_to_thread(void *) { cte::fast_switch(fast_boot, fast_thread); }

void fast_pattern_thread(void *) {
  for (std::uint64_t seed = 1000;; ++seed) {
    thread_mask_fast |= cte_test_call_with_patterns(switch_to_boot, nullptr, seed);
    ++thread_rounds_fast;
  }
}

// --- yield
cte::Context *boot_context = nullptr;
cte::Context *pattern_thread = nullptr;
bool in_thread = false;
std::uint64_t thread_mask_yield = 0;
int thread_rounds_yield = 0;

cte::Context *ping_pong(cte::Event, cte::Context *context) {
  (in_thread ? pattern_thread : boot_context) = context;
  in_thread = !in_thread;
  return in_thread ? pattern_thread : boot_context;
}

void do_yield(void *) { cte::yield(); }

void yield_pattern_thread(void *) {
  for (std::uint64_t seed = 5000;; ++seed) {
    thread_mask_yield |= cte_test_call_with_patterns(do_yield, nullptr, seed);
    ++thread_rounds_yield;
  }
}

cte_test::Stack<16 * 1024> fast_stack, yield_stack;

}  // namespace

TEST_CASE("the register probe itself: a plain call keeps every callee-saved register") {
  CHECK_EQ(cte_test_call_with_patterns([](void *) {}, nullptr, 1), 0);
}

TEST_CASE("callee-saved registers survive the fast switch in both directions") {
  REQUIRE(cte::make_fast_context(fast_thread, fast_stack.area(), fast_pattern_thread, nullptr));
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(switch_to_thread, nullptr, seed);
  if (boot_mask | thread_mask_fast) {
    cte_bm::print("    corrupted: boot side ");
    print_mask(boot_mask);
    cte_bm::print("; thread side ");
    print_mask(thread_mask_fast);
    cte_bm::print("\n");
  }
  CHECK_EQ(boot_mask, 0);
  CHECK_EQ(thread_mask_fast, 0);
  CHECK_EQ(thread_rounds_fast, 199);  // its 200th probe is still waiting for the switch back
}

TEST_CASE("callee-saved registers survive yield in both directions") {
  pattern_thread = cte::kcontext(yield_stack.area(), yield_pattern_thread, nullptr);
  in_thread = false;
  cte::cte_init(ping_pong);
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(do_yield, nullptr, seed);
  if (boot_mask | thread_mask_yield) {
    cte_bm::print("    corrupted: boot side ");
    print_mask(boot_mask);
    cte_bm::print("; thread side ");
    print_mask(thread_mask_yield);
    cte_bm::print("\n");
  }
  CHECK_EQ(boot_mask, 0);
  CHECK_EQ(thread_mask_yield, 0);
  CHECK_EQ(thread_rounds_yield, 199);
}

namespace {
// FP control: frm, the dynamic rounding mode (fcsr bits 7:5). No libc: frrm/fsrm directly.
constexpr std::uint64_t round_to_nearest = 0, round_down = 2, round_up = 3;
std::uint64_t get_round() {
  std::uint64_t mode;
  asm volatile("frrm %0" : "=r"(mode));
  return mode;
}
void set_round(std::uint64_t mode) { asm volatile("fsrm %0" ::"r"(mode)); }
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

TEST_CASE("fast switch with FpControls::per_thread: each thread keeps its own rounding mode") {
  set_round(round_to_nearest);
  REQUIRE(cte::make_fast_context(thread_fast, rounding_fast_stack.area(), fast_rounding_thread, nullptr));
  set_round(round_up);
  const double up = third();
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CHECK_EQ(thread_round_seen_fast, round_up);
  CHECK_EQ(get_round(), round_up);
  CHECK(third() == up);
  cte::fast_switch<per_thread>(boot_fast, thread_fast);
  CHECK(thread_rounding_correct_fast);
  CHECK_EQ(get_round(), round_up);
  set_round(round_to_nearest);
}

TEST_CASE("fast switch by default: threads share the rounding mode") {
  REQUIRE(cte::make_fast_context(thread_fast, rounding_fast_stack.area(), shared_rounding_thread, nullptr));
  set_round(round_up);
  cte::fast_switch(boot_fast, thread_fast);
  CHECK_EQ(get_round(), round_down);  // the thread's change is visible here
  set_round(round_up);
  cte::fast_switch(boot_fast, thread_fast);
  CHECK_EQ(shared_round_seen_after_switch, round_up);  // and ours there
  set_round(round_to_nearest);
}

TEST_CASE("yield: each thread keeps its own rounding mode; kcontext threads start round-to-nearest") {
  rounding_thread = cte::kcontext(rounding_yield_stack.area(), yield_rounding_thread, nullptr);
  rounding_in_thread = false;
  cte::cte_init(rounding_ping_pong);
  set_round(round_up);
  cte::yield();
  CHECK_EQ(thread_round_seen_yield, round_to_nearest);
  CHECK_EQ(get_round(), round_up);
  cte::yield();
  CHECK(thread_rounding_correct_yield);
  CHECK_EQ(get_round(), round_up);
  set_round(round_to_nearest);
}
