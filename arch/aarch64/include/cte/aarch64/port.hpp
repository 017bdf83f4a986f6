#pragma once
// The aarch64 port as the portable layer sees it: one struct, the same members on every ISA
// (the fast switch is the ISA's FastSwitch, fast_switch.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/fast_switch.hpp>
#include <cte/aarch64/kcontext.hpp>
#include <cte/aarch64/trap_entry.hpp>

namespace cte::aarch64 {

struct Port {
  using FastSwitch = aarch64::FastSwitch;
  static void yield_trap() { cte_aarch64_yield_trap(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return cte_aarch64_syscall_trap(a0, a1, a2, a3, a4, a5, number);
  }

  static constexpr std::size_t kcontext_frame_footprint = aarch64::kcontext_frame_footprint;
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    return aarch64::build_kcontext_frame(stack, entry, arg);
  }
};

}  // namespace cte::aarch64
