#pragma once
// The Arm generic timer as the board's tick: the physical counter (CNTPCT_EL0, CNTFRQ_EL0 Hz)
// and the compare register of the level's own physical timer: EL1's CNTP (INTID 30) at EL1,
// EL2's CNTHP (INTID 26) at EL2. A timer is pending while the counter >= CVAL and it is
// enabled and unmasked; writing CVAL to a future value lowers it.
// The periodic policy over it is every board's (cte/board/periodic_timer.hpp).

#include <cstdint>

#include <cte/aarch64/exception_level/level.hpp>
#include <cte/board/periodic_timer.hpp>

namespace cte::aarch64::virt {

inline constexpr std::uint64_t timer_enable = 1;  // CNTx_CTL.ENABLE (IMASK clear)

template <ExceptionLevel L>
struct GenericTimerCompare {
  // CNTFRQ_EL0, read once at boot (62.5 MHz on QEMU virt).
  static inline std::uint64_t ticks_per_second = 1;

  static void read_frequency() { asm volatile("mrs %0, cntfrq_el0" : "=r"(ticks_per_second)); }
  static std::uint64_t now() {
    std::uint64_t value;
    asm volatile("isb\n mrs %0, cntpct_el0" : "=r"(value)::"memory");
    return value;
  }
  static void set(std::uint64_t deadline) {
    if constexpr (L == ExceptionLevel::el1)
      asm volatile("msr cntp_cval_el0, %0\n msr cntp_ctl_el0, %1\n isb" ::"r"(deadline), "r"(timer_enable) : "memory");
    else
      asm volatile("msr cnthp_cval_el2, %0\n msr cnthp_ctl_el2, %1\n isb" ::"r"(deadline), "r"(timer_enable)
                   : "memory");
  }
};

template <ExceptionLevel L>
using GenericTimer = board::PeriodicTimer<GenericTimerCompare<L>>;

}  // namespace cte::aarch64::virt
