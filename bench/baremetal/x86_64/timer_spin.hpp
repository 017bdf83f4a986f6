#pragma once
// The x86_64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include <reading_block.hpp>

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
      "  rdtsc\n"
      "  shl $32, %%rdx\n"
      "  or %%rdx, %%rax\n"
      "  mov %%rax, %c[instructions](%%rdi)\n"
      "  mov %%rax, %c[cycles](%%rdi)\n"
      "  cmpq $0, (%%rsi)\n"
      "  je cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      "  rdtsc\n"
      "  shl $32, %%rdx\n"
      "  or %%rdx, %%rax\n"
      "  mov %%rax, %c[instructions](%%rcx)\n"
      "  mov %%rax, %c[cycles](%%rcx)\n"
      "  ret\n" CTE_BENCH_TIMER_SPIN_END ::[instructions] "i"(offsetof(Reading, instructions)),
      [cycles] "i"(offsetof(Reading, cycles)));
}

}  // namespace cte_bench::timer_probe
