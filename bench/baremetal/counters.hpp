#pragma once
// Counter readings for the bare-metal bench: minstret and mcycle through their unprivileged
// shadows (rdinstret / rdcycle: M-mode may always read them; S-mode may when the firmware's
// mcounteren allows it, which OpenSBI's does). Under `qemu-system-riscv64 -icount shift=0` both
// count exactly and repeat run to run.
//
// A reading is one fixed block of four instructions, always the same:
//   rdinstret t0 ; rdcycle t1 ; sd t0, instructions(slot) ; sd t1, cycles(slot)
// so the cost the measurement itself adds is known and measurable: from one block's rdinstret
// to the next block's rdinstret there are exactly the four instructions of the first block
// (the "empty pair", measured at run time and subtracted, never assumed).

#include <cstddef>
#include <cstdint>

namespace cte_bench {

struct Reading {
  std::uint64_t instructions;  // minstret when the block's rdinstret executed
  std::uint64_t cycles;        // mcycle when the block's rdcycle executed (the next instruction)
};

// Records both counters into *slot (the block described above; t0/t1 are scratch).
[[gnu::always_inline]] inline void record_counters(Reading *slot) {
  asm volatile(
      // The counters first, back to back; the stores after them are the block's fixed tail.
      "rdinstret t0\n\t"
      "rdcycle t1\n\t"
      "sd t0, %[instructions](%[slot])\n\t"
      "sd t1, %[cycles](%[slot])"
      :
      : [slot] "r"(slot), [instructions] "i"(offsetof(Reading, instructions)), [cycles] "i"(offsetof(Reading, cycles))
      : "t0", "t1", "memory");
}

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
