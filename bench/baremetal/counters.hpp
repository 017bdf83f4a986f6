#pragma once
// Counter readings for the bare-metal bench: retired instructions and cycles, read by the
// board ISA's reading block (<reading_block.hpp> in bench/baremetal/<isa>/: riscv64
// minstret/mcycle, aarch64 the PMU's INST_RETIRED and PMCCNTR, x86_64 the TSC, which counts
// instructions under icount). Under QEMU's -icount shift=0 both count exactly and repeat run
// to run.
//
// A reading is one fixed block of isa_counters.block_length instructions, always the same: read the
// counters, store both into the slot (four instructions on riscv64 and aarch64; five on x86_64,
// where rdtsc's two halves are joined first). So the cost the measurement itself adds is known
// and measurable: from one block's first read to the next block's there are exactly the
// instructions of the first block (the "empty pair", measured at run time and subtracted,
// never assumed).

#include <cstddef>
#include <cstdint>

namespace cte_bench {

struct Reading {
  std::uint64_t instructions;  // the instruction counter when the block read it
  std::uint64_t cycles;        // the cycle counter when the block read it (the next instruction)
};

// What the board ISA's <reading_block.hpp> says about its counters, as `isa_counters`.
struct IsaCounters {
  const char *names;                     // the counters it reads
  unsigned block_length;                 // instructions of the reading block; the last two are the stores
  std::int64_t yield_round_trip_budget;  // checked: the yield round trip outside the handler body
  const char *yield_budget_text;         // the check's line
};

// Counts between two readings.
struct Interval {
  std::int64_t instructions = 0;
  std::int64_t cycles = 0;
};
inline Interval operator-(const Reading &end, const Reading &start) {
  return {static_cast<std::int64_t>(end.instructions - start.instructions),
          static_cast<std::int64_t>(end.cycles - start.cycles)};
}
inline Interval operator-(const Interval &a, const Interval &b) {
  return {a.instructions - b.instructions, a.cycles - b.cycles};
}

// Samples of one measurement and their minimum and median (insertion sort: no libc).
template <int Capacity>
struct Samples {
  Interval values[Capacity];
  int count = 0;

  void add(const Interval &value) {
    if (count < Capacity) values[count++] = value;
  }
  bool full() const { return count == Capacity; }
  Interval minimum() const { return {statistic(&Interval::instructions, false), statistic(&Interval::cycles, false)}; }
  Interval median() const { return {statistic(&Interval::instructions, true), statistic(&Interval::cycles, true)}; }

 private:
  std::int64_t statistic(std::int64_t Interval::*field, bool median) const {
    if (count == 0) return 0;
    std::int64_t sorted[Capacity];
    for (int i = 0; i < count; ++i) {
      std::int64_t value = values[i].*field;
      int j = i;
      for (; j > 0 && sorted[j - 1] > value; --j) sorted[j] = sorted[j - 1];
      sorted[j] = value;
    }
    return median ? sorted[count / 2] : sorted[0];
  }
};

}  // namespace cte_bench
