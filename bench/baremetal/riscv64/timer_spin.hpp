#pragma once
// The riscv64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include "../timer_probe.hpp"

namespace cte_bench::timer_probe {

// Emits the loop.
[[gnu::used]] inline void emit_timer_spin() {
  asm volatile(
      // a0 = last, a1 = stop, a2 = after. Uncompressed: the instructions the block is counted in.
      CTE_BENCH_TIMER_SPIN_BEGIN
      ".option push\n"
      ".option norvc\n"
      "cte_bench_timer_spin:\n"
      "cte_bench_timer_spin_loop:\n"
      CTE_BENCH_READING_BLOCK("a0")
      "  ld t2, 0(a1)\n"
      "  beqz t2, cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      CTE_BENCH_READING_BLOCK("a2")
      "  ret\n"
      ".option pop\n" CTE_BENCH_TIMER_SPIN_END :: CTE_BENCH_READING_OPERANDS);
}

}  // namespace cte_bench::timer_probe
