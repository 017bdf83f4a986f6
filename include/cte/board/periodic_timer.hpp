#pragma once
// The cte::timer tick of a board: one periodic-timer policy over a compare register that
// raises its interrupt while now() >= the compare value (riscv64 CLINT mtimecmp or SBI
// set_timer, the Arm generic timer's CVAL, ...). Compare provides:
//   ticks_per_second   the counter's frequency
//   now()              the counter
//   set(deadline)      writes the compare register (clears a pending interrupt if in the future)
//
// A timer interrupt stays pending until the compare register is written again; the board
// acknowledges each tick before the handler runs by programming the next deadline (missed
// periods coalesce into that one tick). stop() keeps a tick that is already due pending, as
// the portable API promises ("a tick already pending stays pending"): it is acknowledged
// with the compare register parked at `never` once delivered.
// Callers run these with interrupts disabled (the boards do).

#include <cstdint>
#include <limits>

namespace cte::board {

inline constexpr std::uint64_t microseconds_per_second = 1000000;

// Microseconds in `ticks` of a counter running at `ticks_per_second` (no overflow for any
// 64-bit count).
constexpr std::uint64_t ticks_to_us(std::uint64_t ticks, std::uint64_t ticks_per_second) {
  return ticks / ticks_per_second * microseconds_per_second +
         ticks % ticks_per_second * microseconds_per_second / ticks_per_second;
}

template <class Compare>
struct PeriodicTimer {
  static constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();

  static inline std::uint64_t period = 0;    // ticks
  static inline std::uint64_t deadline = 0;  // what the compare register holds while armed
  static inline bool running = false;        // periodic ticks wanted
  static inline bool armed = false;          // the compare register holds `deadline`, not `never`

  // Parks the compare register: no interrupt pending, none to come.
  static void disarm() {
    Compare::set(never);
    armed = false;
  }

  static bool start(std::uint64_t period_us) {
    if (period_us == 0 || period_us > never / Compare::ticks_per_second / 2) return false;
    period = period_us * Compare::ticks_per_second / microseconds_per_second;
    if (period == 0) period = 1;
    running = true;
    arm(Compare::now() + period);
    return true;
  }

  static void stop() {
    running = false;
    if (!armed) return;
    Compare::set(never);
    // Due already (pending now, or it became due while we parked the register): pend it
    // again: writing the past deadline back raises the interrupt at once.
    if (Compare::now() >= deadline)
      Compare::set(deadline);
    else
      armed = false;
  }

  // A timer interrupt is being taken: program the next tick (or park the register).
  static void acknowledge() {
    if (!running) return disarm();
    std::uint64_t next = deadline + period;
    const std::uint64_t now = Compare::now();
    if (next <= now) next = now + period;  // periods missed while disabled: one tick for all
    arm(next);
  }

 private:
  static void arm(std::uint64_t at) {
    deadline = at;
    armed = true;
    Compare::set(at);
  }
};

}  // namespace cte::board
