#pragma once
// QEMU virt's CLINT (core-local interruptor, SiFive layout) at 0x2000000: the machine timer
// (mtime, mtimecmp: a machine timer interrupt is pending while mtime >= mtimecmp) and the
// machine software interrupt bit (msip). M-mode only: in S-mode OpenSBI owns it.

#include <cstdint>

namespace cte::riscv64::virt {

struct Clint {
  static constexpr std::uintptr_t base = 0x2000000;
  static constexpr std::uintptr_t msip = 0x0;                  // 32-bit per hart
  static constexpr std::uintptr_t mtimecmp = 0x4000;           // 64-bit per hart
  static constexpr std::uintptr_t mtime = 0xbff8;              // 64-bit, shared
  static constexpr std::uint64_t ticks_per_second = 10000000;  // timebase-frequency 10 MHz
  static constexpr unsigned hart = 0;                          // cte boards run on hart 0

  static volatile std::uint64_t &reg64(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint64_t *>(base + offset);
  }
  static volatile std::uint32_t &reg32(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint32_t *>(base + offset);
  }

  static std::uint64_t now() { return reg64(mtime); }
  static void set_compare(std::uint64_t deadline) { reg64(mtimecmp + hart * sizeof(std::uint64_t)) = deadline; }
  static void set_software_pending(bool pending) { reg32(msip + hart * sizeof(std::uint32_t)) = pending ? 1 : 0; }
};

}  // namespace cte::riscv64::virt
