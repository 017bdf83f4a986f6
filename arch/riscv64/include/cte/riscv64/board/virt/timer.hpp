#pragma once
// The cte::timer tick on QEMU virt: one periodic-timer policy over a compare register.
//   M-mode: the CLINT's mtimecmp (machine timer interrupt, mcause 0x8...07).
//   S-mode: the SBI TIME extension's set_timer (supervisor timer interrupt, scause 0x8...05).
// Both count the 10 MHz platform timer (mtime / the time CSR).
//
// The periodic policy over them is every board's (cte/board/periodic_timer.hpp).

#include <cstdint>

#include <cte/board/periodic_timer.hpp>
#include <cte/riscv64/board/virt/clint.hpp>
#include <cte/riscv64/board/virt/sbi.hpp>

namespace cte::riscv64::virt {

struct ClintCompare {
  static constexpr std::uint64_t ticks_per_second = Clint::ticks_per_second;
  static std::uint64_t now() { return Clint::now(); }
  static void set(std::uint64_t deadline) { Clint::set_compare(deadline); }
};

struct SbiCompare {
  static constexpr std::uint64_t ticks_per_second = Clint::ticks_per_second;  // the same timebase
  static std::uint64_t now() { return sbi::time(); }
  static void set(std::uint64_t deadline) { sbi::set_timer(deadline); }
};

template <class Compare>
using PeriodicTimer = board::PeriodicTimer<Compare>;

}  // namespace cte::riscv64::virt
