// Every callee-saved register (GPR and FP) survives the fast switch and yield, while the
// thread on the other side runs with different values in all of them; and both register
// probes can fail: a register a handler changes in a preempted thread's saved Context behind
// the probe's back is reported. The probes are in the target ISA's assembly
// (tests/arch/<isa>/register_check.hpp, trap_probes.hpp; bare metal: tests/baremetal/).

#include <cte/cte.hpp>

#include <cstdint>
#include <cstring>

#include <register_check.hpp>
#include <trap_probes.hpp>

#include "support/cte_test.hpp"

namespace {

void print_corrupted(const char *side, std::uint64_t mask) {
  if (!mask) return;
  cte::putstr("    corrupted on the ");
  cte::putstr(side);
  cte::putstr(" side:");
  for (unsigned i = 0; i < cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count; ++i)
    if (mask & (std::uint64_t{1} << i)) {
      cte::putstr(" ");
      cte::putstr(cte_test::callee_saved_names[i]);
    }
  cte::putstr("\n");
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

cte_test::StaticStack<cte_test::thread_stack_size> fast_stack, yield_stack;

}  // namespace

CTE_TEST_CASE("the register probe itself: a plain call keeps every callee-saved register") {
  CTE_CHECK_EQ(cte_test_call_with_patterns([](void *) {}, nullptr, 1), 0u);
}

CTE_TEST_CASE("callee-saved registers survive the fast switch in both directions") {
  CTE_REQUIRE(cte::make_fast_context(fast_thread, fast_stack.area(), fast_pattern_thread, nullptr));
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(switch_to_thread, nullptr, seed);
  print_corrupted("boot", boot_mask);
  print_corrupted("thread", thread_mask_fast);
  CTE_CHECK_EQ(boot_mask, 0u);
  CTE_CHECK_EQ(thread_mask_fast, 0u);
  CTE_CHECK_EQ(thread_rounds_fast, 199);  // its 200th probe is still waiting for the switch back
}

CTE_TEST_CASE("callee-saved registers survive yield in both directions") {
  pattern_thread = cte::kcontext(yield_stack.area(), yield_pattern_thread, nullptr);
  in_thread = false;
  cte::cte_init(ping_pong);
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(do_yield, nullptr, seed);
  print_corrupted("boot", boot_mask);
  print_corrupted("thread", thread_mask_yield);
  CTE_CHECK_EQ(boot_mask, 0u);
  CTE_CHECK_EQ(thread_mask_yield, 0u);
  CTE_CHECK_EQ(thread_rounds_yield, 199);
}

namespace {
// --- the probes can fail. A thread runs a probe with interrupts enabled; the timer handler
// waits until the thread's saved Context holds the probe's patterns in the two registers under
// test (so the probe is between loading and checking them), flips a bit of each there, and
// resumes the thread. The probe must report exactly those two registers.
constexpr std::uint64_t clobber_tick_us = 1000;

// The registers under test: their frame slots and the values the probe holds in them.
void *(*gpr_slot)(cte::Context &) = nullptr;
void *(*fp_slot)(cte::Context &) = nullptr;  // no FP register under test
std::uint64_t expected_gpr = 0, expected_fp = 0;
volatile bool clobbered = false;

std::uint64_t load_word(const void *slot) {
  std::uint64_t value;
  std::memcpy(&value, slot, sizeof value);
  return value;
}
void flip_low_bit(void *slot) {
  const std::uint64_t value = load_word(slot) ^ 1;
  std::memcpy(slot, &value, sizeof value);
}

cte::Context *clobber_boot = nullptr;
cte::Context *clobber_thread = nullptr;
bool clobber_in_thread = false;

cte::Context *clobbering_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) {
    if (!clobber_in_thread || clobbered) return context;
    if (load_word(gpr_slot(*context)) != expected_gpr) return context;
    if (fp_slot && load_word(fp_slot(*context)) != expected_fp) return context;
    flip_low_bit(gpr_slot(*context));
    if (fp_slot) flip_low_bit(fp_slot(*context));
    clobbered = true;
    cte::timer::stop();
    return context;
  }
  if (event.kind != cte::EventKind::yield) return context;
  (clobber_in_thread ? clobber_thread : clobber_boot) = context;
  clobber_in_thread = !clobber_in_thread;
  return clobber_in_thread ? clobber_thread : clobber_boot;
}

// Runs `thread` (which yields back once it saw the clobber) under the clobbering handler.
bool run_clobbered(void (*thread)(void *)) {
  static cte_test::StaticStack<cte_test::thread_stack_size> stack;
  clobber_thread = cte::kcontext(stack.area(), thread, nullptr);
  clobber_in_thread = false;
  clobbered = false;
  cte::cte_init(clobbering_handler);
  cte::iset(false);
  if (!cte::timer::start(clobber_tick_us)) return false;
  cte::yield();  // the thread runs (it starts with interrupts enabled) until it saw the clobber
  cte::timer::stop();
  return true;
}

// The callee-saved probe, around a function that spins until the handler has struck.
constexpr std::uint64_t callee_saved_seed = 77;
constexpr unsigned gpr_under_test = cte_test::callee_saved_gpr_count - 1;
constexpr unsigned fp_under_test = cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count - 1;
std::uint64_t callee_saved_mask = 0;

void spin_until_clobbered(void *) {
  while (!clobbered) {
  }
}
void callee_saved_probe_thread(void *) {
  callee_saved_mask = cte_test_call_with_patterns(spin_until_clobbered, nullptr, callee_saved_seed);
  cte::iset(false);
  cte::yield();
}

// The all-register probe of the preemption torture: rounds until one was struck.
constexpr std::uint64_t hold_iterations = 100000;
std::uint64_t held_mismatch_words[2];
unsigned held_mismatches = 0;

void held_probe_thread(void *) {
  std::uint64_t table[cte_test::held_words];
  for (std::uint64_t round = 1;; ++round) {
    for (unsigned w = 0; w < cte_test::held_words; ++w) table[w] = cte_test::held_pattern(w, round * 0x9e3779b97f4a7c15ull + w);
    expected_gpr = table[cte_test::probed_gpr_word];
    expected_fp = table[cte_test::probed_fp_word];
    cte_test_hold_registers(table, hold_iterations);
    if (!clobbered) continue;
    held_mismatches = 0;
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      if (table[w] != cte_test::held_pattern(w, round * 0x9e3779b97f4a7c15ull + w)) {
        if (held_mismatches < 2) held_mismatch_words[held_mismatches] = w;
        ++held_mismatches;
      }
    cte::iset(false);
    cte::yield();
  }
}
}  // namespace

CTE_TEST_CASE("the callee-saved probe reports a GPR and an FP register changed in a preempted thread's Context") {
  gpr_slot = [](cte::Context &context) { return cte_test::callee_saved_slot(context, gpr_under_test); };
  fp_slot = nullptr;
  if constexpr (cte_test::callee_saved_fp_count > 0)  // x86_64: System V keeps no FP register
    fp_slot = [](cte::Context &context) { return cte_test::callee_saved_slot(context, fp_under_test); };
  expected_gpr = cte_test::pattern(callee_saved_seed, gpr_under_test);
  expected_fp = cte_test::pattern(callee_saved_seed, fp_under_test);
  callee_saved_mask = 0;
  CTE_REQUIRE(run_clobbered(callee_saved_probe_thread));
  CTE_CHECK(clobbered);
  std::uint64_t expected_mask = std::uint64_t{1} << gpr_under_test;
  if (fp_slot) expected_mask |= std::uint64_t{1} << fp_under_test;
  CTE_CHECK_EQ(callee_saved_mask, expected_mask);
}

CTE_TEST_CASE("the all-register probe reports a GPR and an FP register changed in a preempted thread's Context") {
  gpr_slot = cte_test::probed_gpr_slot;
  fp_slot = cte_test::probed_fp_slot;
  held_mismatches = 0;
  CTE_REQUIRE(run_clobbered(held_probe_thread));
  CTE_CHECK(clobbered);
  CTE_REQUIRE_EQ(held_mismatches, 2u);
  CTE_CHECK_EQ(held_mismatch_words[0], cte_test::probed_gpr_word);
  CTE_CHECK_EQ(held_mismatch_words[1], cte_test::probed_fp_word);
}
