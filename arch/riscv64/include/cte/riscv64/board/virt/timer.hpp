#pragma once
// The cte::timer tick on QEMU virt: one periodic-timer policy over a compare register.
//   M-mode: the CLINT's mtimecmp (machine timer interrupt, mcause 0x8...07).
//   S-mode: the SBI TIME extension's set_timer (supervisor timer interrupt, scause 0x8...05).
// Both count the 10 MHz platform timer (mtime / the time CSR).
//
// A timer interrupt stays pending until the compare register is written again; the board
// acknowledges each tick before the handler runs by programming the next deadline (missed
// periods coalesce into that one tick). stop() keeps a tick that is already due pending, as
// the portable API promises ("a tick already pending stays pending"): it is acknowledged
// with the compare register parked at `never` once delivered.
// Callers run these with interrupts disabled (the board does).

#include <cstdint>
#include <limits>

#include <cte/riscv64/board/virt/clint.hpp>
#include <cte/riscv64/board/virt/sbi.hpp>

namespace cte::riscv64::virt {

struct ClintCompare {
  static constexpr std::uint64_t ticks_per_us = Clint::ticks_per_us;
  static std::uint64_t now() { return Clint::now(); }
  static void set(std::uint64_t deadline) { Clint::set_compare(deadline); }
};

struct SbiCompare {
  static constexpr std::uint64_t ticks_per_us = 10;  // virt's timebase-frequency, as the CLINT's
  static std::uint64_t now() { return sbi::time(); }
  static void set(std::uint64_t deadline) { sbi::set_timer(deadline); }
};

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
    if (period_us == 0 || period_us > never / Compare::ticks_per_us / 2) return false;
    period = period_us * Compare::ticks_per_us;
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

}  // namespace cte::riscv64::virt
