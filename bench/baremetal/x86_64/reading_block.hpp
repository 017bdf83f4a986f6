#pragma once
// The x86_64 reading block (counters.hpp): the time-stamp counter, which under QEMU's
// -icount shift=0 advances by exactly one per retired instruction (one instruction per virtual
// nanosecond, and TCG's TSC counts virtual nanoseconds). x86 has no other counter QEMU
// emulates, so the cycle reading is the same TSC value:
//   rdtsc ; shl $32, rdx ; or rdx, rax ; mov rax, instructions(slot) ; mov rax, cycles(slot)

#include <cstddef>
#include <cstdint>

#include "../counters.hpp"

namespace cte_bench {

// Instructions of record_counters (timer_probe.hpp: the last two are the stores).
inline constexpr unsigned reading_block_length = 5;
inline constexpr const char *counter_names = "TSC (instructions under icount)";
// The yield round trip's budget outside the handler body: issue 16's target, riscv64's.
inline constexpr std::int64_t yield_round_trip_budget = 100;
inline constexpr const char *yield_round_trip_budget_text =
    "yield_round_trip <= 100 instructions outside the handler body (issue 16 target)";

// The TSC runs from reset, readable at ring 0: nothing to enable.
inline void enable_counters() {}

// Records the counter into *slot (rax/rdx are scratch).
[[gnu::always_inline]] inline void record_counters(Reading *slot) {
  asm volatile(
      // The counter first; joining its halves and the stores are the block's fixed tail.
      "rdtsc\n\t"
      "shl $32, %%rdx\n\t"
      "or %%rdx, %%rax\n\t"
      "mov %%rax, %c[instructions](%[slot])\n\t"
      "mov %%rax, %c[cycles](%[slot])"
      :
      : [slot] "r"(slot), [instructions] "i"(offsetof(Reading, instructions)), [cycles] "i"(offsetof(Reading, cycles))
      : "rax", "rdx", "memory");
}

}  // namespace cte_bench
