#pragma once
// The x86_64 reading block (counters.hpp): the time-stamp counter, which under QEMU's
// -icount shift=0 advances by exactly one per retired instruction (one instruction per virtual
// nanosecond, and TCG's TSC counts virtual nanoseconds). x86 has no other counter QEMU
// emulates, so the cycle reading is the same TSC value:
//   rdtsc ; shl $32, rdx ; or rdx, rax ; mov rax, instructions(slot) ; mov rax, cycles(slot)

#include <cstddef>
#include <cstdint>

#include "../counters.hpp"

// The block as assembly text, storing into the slot at register `slot` (reading.hpp), and the
// registers it uses.
#define CTE_BENCH_READING_BLOCK(slot)   \
  "  rdtsc\n"                           \
  "  shl $32, %%rdx\n"                  \
  "  or %%rdx, %%rax\n"                 \
  "  mov %%rax, %c[instructions](" slot \
  ")\n"                                 \
  "  mov %%rax, %c[cycles](" slot ")\n"
#define CTE_BENCH_READING_CLOBBERS "rax", "rdx"

namespace cte_bench {

// The counters, the block's length, and the yield round trip's budget outside the handler
// body: issue 16's target, riscv64's.
inline constexpr IsaCounters isa_counters = {
    "TSC (instructions under icount)", 5, 100,
    "yield_round_trip <= 100 instructions outside the handler body (issue 16 target)"};

// The TSC runs from reset, readable at ring 0: nothing to enable.
inline void enable_counters() {}

}  // namespace cte_bench
