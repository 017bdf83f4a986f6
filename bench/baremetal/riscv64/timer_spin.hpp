#pragma once
// The riscv64 timer-probe loop (timer_probe.hpp describes its shape).

#include <cstddef>

#include <reading_block.hpp>

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
      "  rdinstret t0\n"
      "  rdcycle t1\n"
      "  sd t0, %[instructions](a0)\n"
      "  sd t1, %[cycles](a0)\n"
      "  ld t2, 0(a1)\n"
      "  beqz t2, cte_bench_timer_spin_loop\n"
      // Stopped: one more reading, the first after the handler returned.
      "  rdinstret t0\n"
      "  rdcycle t1\n"
      "  sd t0, %[instructions](a2)\n"
      "  sd t1, %[cycles](a2)\n"
      "  ret\n"
      ".option pop\n" CTE_BENCH_TIMER_SPIN_END ::[instructions] "i"(offsetof(Reading, instructions)),
      [cycles] "i"(offsetof(Reading, cycles)));
}

}  // namespace cte_bench::timer_probe
