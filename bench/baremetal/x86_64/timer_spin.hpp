#pragma once
// The x86_64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include "../timer_probe.hpp"

namespace cte_bench::timer_probe {

// Emits the loop.
[[gnu::used]] inline void emit_timer_spin() {
  asm volatile(
      // rdi = last, rsi = stop, rdx = after (moved to rcx: rdtsc writes rdx).
      CTE_BENCH_TIMER_SPIN_BEGIN
      "cte_bench_timer_spin:\n"
      "  mov %%rdx, %%rcx\n"
      "cte_bench_timer_spin_loop:\n"
      CTE_BENCH_READING_BLOCK("%%rdi")
      "  cmpq $0, (%%rsi)\n"
      "  je cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      CTE_BENCH_READING_BLOCK("%%rcx")
      "  ret\n" CTE_BENCH_TIMER_SPIN_END :: CTE_BENCH_READING_OPERANDS);
}

}  // namespace cte_bench::timer_probe
