#pragma once
// Taking a reading (counters.hpp): the board ISA's reading block (<reading_block.hpp> in
// bench/baremetal/<isa>/, which defines CTE_BENCH_READING_BLOCK and CTE_BENCH_READING_CLOBBERS)
// as an inline function, always the same instructions.

#include <cstddef>

#include <reading_block.hpp>

#include "counters.hpp"

// The offsets CTE_BENCH_READING_BLOCK stores at, as asm operands.
#define CTE_BENCH_READING_OPERANDS \
  [instructions] "i"(offsetof(cte_bench::Reading, instructions)), [cycles] "i"(offsetof(cte_bench::Reading, cycles))

namespace cte_bench {

// Records both counters into *slot.
[[gnu::always_inline]] inline void record_counters(Reading *slot) {
  asm volatile(CTE_BENCH_READING_BLOCK("%[slot]")
               :
               : [slot] "r"(slot), CTE_BENCH_READING_OPERANDS
               : CTE_BENCH_READING_CLOBBERS, "memory");
}

}  // namespace cte_bench
