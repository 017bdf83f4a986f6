#pragma once
// QEMU virt's PLIC (platform-level interrupt controller, SiFive layout) at 0x0c000000: device
// interrupt sources, each with a priority, enabled per context; a context (hart 0: 0 for
// M-mode, 1 for S-mode) takes the highest pending enabled source above its threshold by a
// claim and ends it with a complete.

#include <cstdint>

#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::virt {

template <privileged::Privilege P>
struct Plic {
  static constexpr std::uintptr_t base = 0x0c000000;
  static constexpr std::uintptr_t priority = 0x0;   // 32-bit per source
  static constexpr std::uintptr_t enable = 0x2000;  // bit per source, 0x80 per context
  static constexpr std::uintptr_t enable_stride = 0x80;
  static constexpr std::uintptr_t threshold = 0x200000;       // 32-bit, 0x1000 per context
  static constexpr std::uintptr_t claim_complete = 0x200004;  // 32-bit, 0x1000 per context
  static constexpr std::uintptr_t context_stride = 0x1000;
  // Hart 0's context for the kernel's privilege.
  static constexpr unsigned context = P == privileged::Privilege::machine ? 0 : 1;

  static volatile std::uint32_t &reg(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint32_t *>(base + offset);
  }

  // Lets `source` interrupt the kernel: priority 1 (0 disables), enabled, threshold 0.
  static void enable_source(unsigned source) {
    reg(priority + 4 * source) = 1;
    volatile std::uint32_t &enabled = reg(enable + enable_stride * context + 4 * (source / 32));
    enabled = enabled | 1u << (source % 32);
    reg(threshold + context_stride * context) = 0;
  }
  // The highest pending source, now in service (0: none).
  static unsigned claim() { return reg(claim_complete + context_stride * context); }
  // `source` may interrupt again.
  static void complete(unsigned source) { reg(claim_complete + context_stride * context) = source; }
};

}  // namespace cte::riscv64::virt
