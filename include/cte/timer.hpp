#pragma once
// The periodic timer, the same API on every platform. Ticks arrive as EventKind::irq_timer
// (when interrupts are enabled; otherwise they stay pending, coalesced into one).

#include <cstdint>

#include <cte/detail/sanitizer.hpp>
#include <cte/target.hpp>

namespace cte::timer {

// Starts (or restarts) a tick every period_us microseconds. False for 0 or if the platform
// cannot provide that period.
// (Hosted under ThreadSanitizer a call does not compile: detail/sanitizer.hpp.)
inline bool start(std::uint64_t period_us) {
  detail::refuse_under_thread_sanitizer();
  return TargetPlatform::timer_start(period_us);
}

// Stops the tick. A tick already pending stays pending.
inline void stop() { TargetPlatform::timer_stop(); }

}  // namespace cte::timer
