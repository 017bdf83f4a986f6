#pragma once
// A board's rule for its own state that a handler may touch too (the timer's registers, the
// page pool): change it with interrupts disabled, then restore the state the caller had.

#include <type_traits>

namespace cte::board {

template <class Platform, class Operation>
inline auto with_interrupts_disabled(Operation operation) {
  const bool was_enabled = Platform::interrupts_enabled();
  Platform::set_interrupts_enabled(false);
  if constexpr (std::is_void_v<decltype(operation())>) {
    operation();
    Platform::set_interrupts_enabled(was_enabled);
  } else {
    const auto result = operation();
    Platform::set_interrupts_enabled(was_enabled);
    return result;
  }
}

}  // namespace cte::board
