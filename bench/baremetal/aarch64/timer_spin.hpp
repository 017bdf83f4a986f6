#pragma once
// The aarch64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include <reading_block.hpp>

namespace cte_bench::timer_probe {

// Emits the loop (one COMDAT group: any number of translation units may include this header).
[[gnu::used]] inline void emit_timer_spin() {
  asm volatile(
      // x0 = last, x1 = stop, x2 = after.
      ".pushsection .text.cte_bench_timer_spin,\"axG\",@progbits,cte_bench_timer_spin,comdat\n"
      ".globl cte_bench_timer_spin\n.hidden cte_bench_timer_spin\n.type cte_bench_timer_spin,@function\n"
      ".globl cte_bench_timer_spin_loop\n.hidden cte_bench_timer_spin_loop\n"
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
      "  ret\n"
      ".size cte_bench_timer_spin, .-cte_bench_timer_spin\n"
      ".popsection\n" ::[instructions] "i"(offsetof(Reading, instructions)),
      [cycles] "i"(offsetof(Reading, cycles)));
}

}  // namespace cte_bench::timer_probe
