#pragma once
// QEMU virt's exit device: the "sifive_test" finisher at 0x100000. A 32-bit store of
// 0x5555 ends QEMU with status 0; (code << 16) | 0x3333 ends it with status `code`.
// Reachable from M-mode and (through OpenSBI's PMP setup) from S-mode.

#include <cstdint>

namespace cte::riscv64::virt {

struct SifiveTestExit {
  static constexpr std::uintptr_t base = 0x100000;
  static constexpr std::uint32_t pass = 0x5555;
  static constexpr std::uint32_t fail = 0x3333;
  static constexpr unsigned code_shift = 16;
  static constexpr std::uint32_t code_mask = 0xffff;

  // Ends the QEMU run with exit status `code` (its low 16 bits; 0 means success).
  [[noreturn]] static void exit(int code) {
    const auto status = static_cast<std::uint32_t>(code) & code_mask;
    *reinterpret_cast<volatile std::uint32_t *>(base) = status == 0 ? pass : (status << code_shift) | fail;
    for (;;) asm volatile("wfi");  // QEMU stops at the store; never reached on a real finisher
  }
};

}  // namespace cte::riscv64::virt
