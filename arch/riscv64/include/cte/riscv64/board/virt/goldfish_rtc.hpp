#pragma once
// QEMU virt's real-time clock: a Goldfish RTC at 0x101000. TIME_LOW/TIME_HIGH hold the wall
// clock in nanoseconds since the Unix epoch; reading TIME_LOW latches TIME_HIGH, so the low
// word is read first.

#include <cstdint>

namespace cte::riscv64::virt {

struct GoldfishRtc {
  enum Register : std::uintptr_t { time_low = 0x00, time_high = 0x04 };
  static constexpr std::uintptr_t base = 0x101000;

  static std::uint32_t read(Register offset) { return *reinterpret_cast<volatile std::uint32_t *>(base + offset); }

  static std::uint64_t now_ns() {
    const std::uint64_t low = read(time_low);
    return (std::uint64_t{read(time_high)} << 32) | low;
  }
};

}  // namespace cte::riscv64::virt
