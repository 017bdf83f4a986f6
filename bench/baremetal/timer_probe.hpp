#pragma once
// The thread side of the timer-interrupt measurement: a loop that records both counters into
// *last on every iteration until *stop becomes non-zero, then records them once more into
// *after. The loop is assembly with a fixed shape (the board ISA's <timer_spin.hpp> emits it):
// the ISA's reading block (<reading_block.hpp>: isa_counters.block_length instructions, the last two
// of them the stores into the slot), then a load (or compare) of *stop and a branch back if it
// is 0. So from the pc an interrupt interrupted, the handler knows exactly which loop
// instructions ran between the last recorded reading and the interrupt, and which run between
// the resume and *after. With B = isa_counters.block_length and L = B + 2 (riscv64, aarch64: B = 4;
// x86_64: rdtsc and two instructions that join its halves, B = 5):
//
//   index 0 ... B-3   read the counters (index 0 reads the instruction counter)
//         B-2, B-1    store instructions, store cycles
//         B           load or compare *stop
//         B+1         branch to index 0 if it is 0
//
// An interrupt taken before index p (instruction p not executed; it runs first after the resume):
//   p <= B-2       both counters in *last are the previous iteration's: L + p loop
//                  instructions ran since its index 0
//   p = B-1        the instruction count is this iteration's (p ran since), the cycle count
//                  the previous one's (L + p)
//   p >= B         *last is this iteration's: p instructions ran since its index 0
// So each counter is corrected by the distance from the reading its own store wrote last
// (ran_since_stored), and every index is usable: QEMU takes a tick where a translation block
// starts, so under icount the ticks of a run may all land on one index, which one depending on
// the code layout. A pc outside the loop (none so far) shifts the loop's phase against the
// timer's and tries again (cte_bench_board).
// After the resume (the handler set *stop) until index 0 of *after: L - p instructions for
// p <= B; for p = B+1 the branch had already seen 0, loops once more: 1 + L.
//
// Instructions need not have one length: the index of a pc is found by walking the loop with
// the ISA's instruction-length decoder (cte::TargetIsa::instruction_length), as
// skip_instruction does.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

#include "reading.hpp"

extern "C" {
void cte_bench_timer_spin(cte_bench::Reading *last, const volatile std::uint64_t *stop, cte_bench::Reading *after);
extern const char cte_bench_timer_spin_loop[];  // index 0 of the loop
}

namespace cte_bench::timer_probe {

inline constexpr unsigned block_length = isa_counters.block_length;
inline constexpr unsigned loop_length = block_length + 2;

// Loop index of an interrupted pc, or -1 outside the loop.
inline int loop_index(std::uintptr_t pc) {
  auto address = reinterpret_cast<std::uintptr_t>(cte_bench_timer_spin_loop);
  for (unsigned index = 0; index < loop_length; ++index) {
    if (pc == address) return static_cast<int>(index);
    const std::size_t length = cte::TargetIsa::instruction_length(reinterpret_cast<const void *>(address));
    if (length == 0) return -1;
    address += length;
  }
  return -1;
}
inline bool usable(int index) { return index >= 0; }
// The stores of the reading block: the instruction count at B-2, the cycle count at B-1.
inline constexpr int instructions_store_index = int{block_length} - 2, cycles_store_index = int{block_length} - 1;
inline std::int64_t ran_since_stored(int index, int store_index) {
  return index > store_index ? index : std::int64_t{loop_length} + index;
}
inline std::int64_t ran_after_resume(int index) {
  return index <= int{block_length} ? std::int64_t{loop_length} - index : 1 + std::int64_t{loop_length};
}

// The loop function's section (one COMDAT group: any number of translation units may include
// the ISA's <timer_spin.hpp>) and symbols, around the ISA's instructions.
#define CTE_BENCH_TIMER_SPIN_BEGIN                                                                    \
  ".pushsection .text.cte_bench_timer_spin,\"axG\",@progbits,cte_bench_timer_spin,comdat\n"           \
  ".globl cte_bench_timer_spin\n.hidden cte_bench_timer_spin\n.type cte_bench_timer_spin,@function\n" \
  ".globl cte_bench_timer_spin_loop\n.hidden cte_bench_timer_spin_loop\n"
#define CTE_BENCH_TIMER_SPIN_END ".size cte_bench_timer_spin, .-cte_bench_timer_spin\n.popsection\n"

}  // namespace cte_bench::timer_probe

#include <timer_spin.hpp>
