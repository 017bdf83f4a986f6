#pragma once
// Shared pieces of the bare-metal test cases: stacks (static memory: no heap), the platform
// timer.

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdint>

#include "support/static_stack.hpp"

namespace cte_test {

template <std::size_t Size>
using Stack = StaticStack<Size>;

// The platform timer (time CSR: 10 MHz on QEMU virt), readable in M- and S-mode.
inline std::uint64_t now_ticks() {
  std::uint64_t value;
  asm volatile("rdtime %0" : "=r"(value));
  return value;
}
inline constexpr std::uint64_t ticks_per_us = 10;
inline void spin_us(std::uint64_t microseconds) {
  const std::uint64_t until = now_ticks() + microseconds * ticks_per_us;
  while (now_ticks() < until) {
  }
}

inline constexpr bool machine_mode = cte::TargetPlatform::machine_mode;

}  // namespace cte_test
