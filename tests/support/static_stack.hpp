#pragma once
// Stacks for test threads in static memory (no heap: usable on bare metal too).

#include <cte/cte.hpp>

#include <cstddef>

namespace cte_test {

template <std::size_t Size>
struct StaticStack {
  static_assert(Size % 16 == 0);
  alignas(16) unsigned char memory[Size];
  cte::Area area() { return {memory, memory + Size}; }
};

// Room for a test thread that calls probes and the test's own functions: a multiple of what
// the platform needs for a trap frame (hosted: plus the signal frame; under ASan: redzones).
inline constexpr std::size_t thread_stack_size = 8 * cte::TargetPlatform::min_kstack_size;

}  // namespace cte_test
