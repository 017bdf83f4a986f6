// Every callee-saved register (GPR and FP) survives the fast switch and yield, while the
// thread on the other side runs with different values in all of them. The probe that loads
// and checks the registers is written in the target ISA's assembly (tests/arch/<isa>/).

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cstdint>
#include <string>

#include <register_check.hpp>

#include "support/stacks.hpp"

namespace {

std::string describe(std::uint64_t mask) {
  std::string names;
  for (unsigned i = 0; i < cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count; ++i)
    if (mask & (std::uint64_t{1} << i)) names += std::string(cte_test::callee_saved_names[i]) + " ";
  return names.empty() ? "none" : names;
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

}  // namespace

TEST_CASE("the register probe itself detects a clobbered register") {
  // A function that returns normally keeps every register (sanity of the probe's comparison).
  CHECK(cte_test_call_with_patterns([](void *) {}, nullptr, 1) == 0);
  CHECK(std::string(cte_test::callee_saved_names[0]).size() > 0);
}

TEST_CASE("callee-saved registers survive the fast switch in both directions") {
  cte_test::Stack stack;
  REQUIRE(cte::make_fast_context(fast_thread, stack.area(), fast_pattern_thread, nullptr));
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(switch_to_thread, nullptr, seed);
  INFO("boot side corrupted: " << describe(boot_mask) << "; thread side corrupted: " << describe(thread_mask_fast));
  CHECK(boot_mask == 0);
  CHECK(thread_mask_fast == 0);
  CHECK(thread_rounds_fast == 199);  // its 200th probe is still waiting for the switch back
}

TEST_CASE("callee-saved registers survive yield in both directions") {
  cte_test::Stack stack;
  pattern_thread = cte::kcontext(stack.area(), yield_pattern_thread, nullptr);
  in_thread = false;
  cte::cte_init(ping_pong);
  std::uint64_t boot_mask = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) boot_mask |= cte_test_call_with_patterns(do_yield, nullptr, seed);
  INFO("boot side corrupted: " << describe(boot_mask) << "; thread side corrupted: " << describe(thread_mask_yield));
  CHECK(boot_mask == 0);
  CHECK(thread_mask_yield == 0);
  CHECK(thread_rounds_yield == 199);
}
