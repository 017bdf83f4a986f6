#pragma once
// The aarch64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include <reading_block.hpp>

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
      "  mrs x9, pmevcntr0_el0\n"
      "  mrs x10, pmccntr_el0\n"
      "  str x9, [x0, #%c[instructions]]\n"
      "  str x10, [x0, #%c[cycles]]\n"
      "  ldr x11, [x1]\n"
      "  cbz x11, cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      "  mrs x9, pmevcntr0_el0\n"
      "  mrs x10, pmccntr_el0\n"
      "  str x9, [x2, #%c[instructions]]\n"
      "  str x10, [x2, #%c[cycles]]\n"
      "  ret\n" CTE_BENCH_TIMER_SPIN_END ::[instructions] "i"(offsetof(Reading, instructions)),
      [cycles] "i"(offsetof(Reading, cycles)));
}

}  // namespace cte_bench::timer_probe
