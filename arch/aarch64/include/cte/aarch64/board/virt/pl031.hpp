#pragma once
// QEMU virt's real-time clock: an Arm PL031 at 0x09010000, whose data register counts seconds
// since the Unix epoch (QEMU starts it at the host's time).

#include <cstdint>

namespace cte::aarch64::virt {

struct Pl031 {
  static constexpr std::uintptr_t base = 0x09010000;
  static constexpr std::uint64_t nanoseconds_per_second = 1000000000;
  static std::uint64_t now_ns() { return *reinterpret_cast<volatile std::uint32_t *>(base) * nanoseconds_per_second; }
};

}  // namespace cte::aarch64::virt
