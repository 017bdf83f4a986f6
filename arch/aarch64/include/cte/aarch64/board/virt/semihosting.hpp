#pragma once
// Ending the QEMU run: Arm semihosting (QEMU's -semihosting), SYS_EXIT_EXTENDED, which passes
// the exit code through as QEMU's exit status. A semihosting call is `hlt #0xf000` with the
// operation in w0 and a pointer to its parameter block in x1.

#include <cstdint>

namespace cte::aarch64::virt {

struct SemihostingExit {
  static constexpr std::uint64_t exit_extended = 0x20;        // SYS_EXIT_EXTENDED
  static constexpr std::uint64_t application_exit = 0x20026;  // ADP_Stopped_ApplicationExit
  static constexpr std::uint64_t code_mask = 0xff;

  [[noreturn]] static void exit(int code) {
    const std::uint64_t block[2] = {application_exit, static_cast<std::uint64_t>(code) & code_mask};
    register std::uint64_t operation asm("x0") = exit_extended;
    register const std::uint64_t *parameters asm("x1") = block;
    asm volatile("hlt #0xf000" ::"r"(operation), "r"(parameters) : "memory");
    for (;;) asm volatile("wfi");  // QEMU stops at the call
  }
};

}  // namespace cte::aarch64::virt
