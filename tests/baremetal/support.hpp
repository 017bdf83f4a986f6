#pragma once
// Shared pieces of the bare-metal test cases: stacks (static memory: no heap), the board's
// clock.

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdint>

#include "support/static_stack.hpp"

namespace cte_test {

template <std::size_t Size>
using Stack = StaticStack<Size>;

// Time since reset in tenths of a microsecond (the board's clock).
inline constexpr std::uint64_t ticks_per_us = 10;
inline std::uint64_t now_ticks() { return cte::TargetPlatform::uptime_us() * ticks_per_us; }
inline void spin_us(std::uint64_t microseconds) {
  const std::uint64_t until = now_ticks() + microseconds * ticks_per_us;
  while (now_ticks() < until) {
  }
}

}  // namespace cte_test
