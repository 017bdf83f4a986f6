#pragma once
// The thread side of the timer-interrupt measurement: a loop that records both counters into
// *last on every iteration until *stop becomes non-zero, then records them once more into
// *after. The loop is assembly with a fixed shape, 4-byte instructions (the board ISA's
// <timer_spin.hpp> emits it), so from the pc an interrupt interrupted, the handler knows
// exactly which loop instructions ran between the last recorded reading and the interrupt,
// and which run between the resume and *after:
//
//   index 0  read the instruction counter  \  the reading block of counters.hpp
//         1  read the cycle counter         |
//         2  store instructions             |
//         3  store cycles                  /
//         4  load *stop
//         5  branch to index 0 if it is 0
//
// An interrupt taken before index p (instruction p not executed; it runs first after the resume):
// each counter in *last is the one its store (index 2, index 3) wrote last: this iteration's if
// p is past that store, then p loop instructions ran since its reading block, else the previous
// iteration's, 6 + p. The two agree but at p = 3 (instructions this iteration's, 3; cycles the
// previous one's, 9). Every index is usable: QEMU takes a tick where a translation block starts,
// so a run's ticks may all land on one index, and which one depends on the code layout.
// After the resume (the handler set *stop) until the rdinstret of *after: 6 - p instructions
// for p <= 4; for p = 5 the beqz had already loaded 0, loops once more: 1 + 6.

#include <cstdint>

#include <reading_block.hpp>

extern "C" {
void cte_bench_timer_spin(cte_bench::Reading *last, const volatile std::uint64_t *stop, cte_bench::Reading *after);
extern const char cte_bench_timer_spin_loop[];  // index 0 of the loop
}

namespace cte_bench::timer_probe {

inline constexpr unsigned loop_length = 6;
inline constexpr unsigned instruction_bytes = 4;

// Loop index of an interrupted pc, or -1 outside the loop.
inline int loop_index(std::uintptr_t pc) {
  const auto start = reinterpret_cast<std::uintptr_t>(cte_bench_timer_spin_loop);
  if (pc < start || pc >= start + loop_length * instruction_bytes) return -1;
  return static_cast<int>((pc - start) / instruction_bytes);
}
inline constexpr int instructions_store_index = 2, cycles_store_index = 3;
inline std::int64_t ran_since_stored(int index, int store_index) {
  return index > store_index ? index : loop_length + index;
}
inline std::int64_t ran_after_resume(int index) { return index <= 4 ? loop_length - index : 1 + loop_length; }

// The loop function's section (one COMDAT group: any number of translation units may include
// the ISA's <timer_spin.hpp>) and symbols, around the ISA's instructions.
#define CTE_BENCH_TIMER_SPIN_BEGIN                                                                    \
  ".pushsection .text.cte_bench_timer_spin,\"axG\",@progbits,cte_bench_timer_spin,comdat\n"           \
  ".globl cte_bench_timer_spin\n.hidden cte_bench_timer_spin\n.type cte_bench_timer_spin,@function\n" \
  ".globl cte_bench_timer_spin_loop\n.hidden cte_bench_timer_spin_loop\n"
#define CTE_BENCH_TIMER_SPIN_END ".size cte_bench_timer_spin, .-cte_bench_timer_spin\n.popsection\n"

}  // namespace cte_bench::timer_probe

#include <timer_spin.hpp>
