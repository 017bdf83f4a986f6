#pragma once
// The riscv64 reading block (counters.hpp): minstret and mcycle through their unprivileged
// shadows (rdinstret / rdcycle: M-mode may always read them; S-mode may when the firmware's
// mcounteren allows it, which OpenSBI's does):
//   rdinstret t0 ; rdcycle t1 ; sd t0, instructions(slot) ; sd t1, cycles(slot)

#include <cstddef>
#include <cstdint>

#include "../counters.hpp"

// The block as assembly text, storing into the slot at register `slot` (reading.hpp), and the
// registers it uses.
#define CTE_BENCH_READING_BLOCK(slot) \
  "  rdinstret t0\n"                  \
  "  rdcycle t1\n"                    \
  "  sd t0, %[instructions](" slot    \
  ")\n"                               \
  "  sd t1, %[cycles](" slot ")\n"
#define CTE_BENCH_READING_CLOBBERS "t0", "t1"

namespace cte_bench {

// The counters, the block's length, and the yield round trip's budget outside the handler
// body: issue 6's target.
inline constexpr IsaCounters isa_counters = {
    "minstret/mcycle", 4, 100, "yield_round_trip <= 100 instructions outside the handler body (issue 6 target)"};

// Both counters run from reset: nothing to enable.
inline void enable_counters() {}

}  // namespace cte_bench
