#pragma once
// The aarch64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include "../timer_probe.hpp"

namespace cte_bench::timer_probe {

// Emits the loop.
[[gnu::used]] inline void emit_timer_spin() {
  asm volatile(
      // x0 = last, x1 = stop, x2 = after.
      CTE_BENCH_TIMER_SPIN_BEGIN
      ".p2align 2\n"
      "cte_bench_timer_spin:\n"
      "cte_bench_timer_spin_loop:\n"
      CTE_BENCH_READING_BLOCK("x0")
      "  ldr x11, [x1]\n"
      "  cbz x11, cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      CTE_BENCH_READING_BLOCK("x2")
      "  ret\n" CTE_BENCH_TIMER_SPIN_END :: CTE_BENCH_READING_OPERANDS);
}

}  // namespace cte_bench::timer_probe
