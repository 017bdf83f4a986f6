#pragma once
// The RISC-V Supervisor Binary Interface (SBI spec v1.0) calls an S-mode board needs: an
// ecall from S-mode traps to the firmware (OpenSBI), with the extension ID in a7, the function
// ID in a6, arguments in a0-a5; it returns error in a0 and value in a1 and keeps every other
// register.

#include <cstdint>

namespace cte::riscv64::virt::sbi {

inline constexpr std::uint64_t timer_extension = 0x54494D45;  // "TIME"
inline constexpr std::uint64_t set_timer_function = 0;

struct Result {
  std::int64_t error;
  std::uint64_t value;
};

inline Result call(std::uint64_t extension, std::uint64_t function, std::uint64_t arg0) {
  register std::uint64_t a0 asm("a0") = arg0;
  register std::uint64_t a1 asm("a1") = 0;
  register std::uint64_t a6 asm("a6") = function;
  register std::uint64_t a7 asm("a7") = extension;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  return {static_cast<std::int64_t>(a0), a1};
}

// Programs the next supervisor timer interrupt for `deadline` (time CSR units) and clears a
// pending one; a deadline in the past makes it pending at once.
inline void set_timer(std::uint64_t deadline) { call(timer_extension, set_timer_function, deadline); }

// The time CSR: the platform timer (mtime), readable from S-mode (OpenSBI sets mcounteren.TM).
inline std::uint64_t time() {
  std::uint64_t value;
  asm volatile("rdtime %0" : "=r"(value));
  return value;
}

}  // namespace cte::riscv64::virt::sbi
