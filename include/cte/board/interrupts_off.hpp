#pragma once
// A board's bookkeeping that a trap must not interleave with (the timer's deadline, the page
// pool, page tables) runs with the CPU's interrupts disabled, then restores the state it found.

#include <type_traits>

namespace cte::board {

template <class Platform, class Body>
inline auto with_interrupts_disabled(Body &&body) {
  const bool was_enabled = Platform::interrupts_enabled();
  Platform::set_interrupts_enabled(false);
  if constexpr (std::is_void_v<decltype(body())>) {
    body();
    Platform::set_interrupts_enabled(was_enabled);
  } else {
    const auto result = body();
    Platform::set_interrupts_enabled(was_enabled);
    return result;
  }
}

}  // namespace cte::board
