#pragma once
// The aarch64 reading block (counters.hpp): the PMU's event counter 0 counting INST_RETIRED
// (event 0x08) and the cycle counter PMCCNTR_EL0, both counting at EL1 and EL2:
//   mrs x9, pmevcntr0_el0 ; mrs x10, pmccntr_el0 ; str x9, [slot] ; str x10, [slot, #8]

#include <cstddef>
#include <cstdint>

#include "../counters.hpp"

// The block as assembly text, storing into the slot at register `slot` (reading.hpp), and the
// registers it uses.
#define CTE_BENCH_READING_BLOCK(slot) \
  "  mrs x9, pmevcntr0_el0\n"         \
  "  mrs x10, pmccntr_el0\n"          \
  "  str x9, [" slot                  \
  ", #%c[instructions]]\n"            \
  "  str x10, [" slot ", #%c[cycles]]\n"
#define CTE_BENCH_READING_CLOBBERS "x9", "x10"

namespace cte_bench {

// The counters, the block's length, and the yield round trip's budget outside the handler
// body: issue 15's target, riscv64's 100.
inline constexpr IsaCounters isa_counters = {
    "PMU INST_RETIRED/PMCCNTR", 4, 100,
    "yield_round_trip <= 100 instructions outside the handler body (issue 15 target)"};

namespace pmu {
inline constexpr std::uint64_t enable = 1u << 0, reset_events = 1u << 1, reset_cycles = 1u << 2,
                               long_cycles = 1u << 6;  // PMCR_EL0: E, P, C, LC
inline constexpr std::uint64_t inst_retired = 0x08;
inline constexpr std::uint64_t count_el2 = 1u << 27;  // PMEVTYPER/PMCCFILTR.NSH: EL2 counts too
inline constexpr std::uint64_t counter0 = 1u << 0, cycle_counter = std::uint64_t{1} << 31;  // PMCNTENSET_EL0
}  // namespace pmu

inline void enable_counters() {
  asm volatile(
      "msr pmevtyper0_el0, %[event]\n"
      "msr pmccfiltr_el0, %[filter]\n"
      "msr pmcntenset_el0, %[counters]\n"
      "msr pmcr_el0, %[control]\n"
      "isb" ::[event] "r"(pmu::inst_retired | pmu::count_el2),
      [filter] "r"(pmu::count_el2), [counters] "r"(pmu::counter0 | pmu::cycle_counter),
      [control] "r"(pmu::enable | pmu::reset_events | pmu::reset_cycles | pmu::long_cycles)
      : "memory");
}

}  // namespace cte_bench
