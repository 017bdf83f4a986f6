#pragma once
// The x86_64 port as the portable layer sees it: one struct, the same members on every ISA
// (the fast switch is the ISA's FastSwitch, fast_switch.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/x86_64/fast_switch.hpp>
#include <cte/x86_64/kcontext.hpp>
#include <cte/x86_64/trap_entry.hpp>

namespace cte::x86_64 {

struct Port {
  using FastSwitch = x86_64::FastSwitch;
  static void yield_trap() { cte_x86_64_yield_trap(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return static_cast<std::uint64_t>(
        cte_x86_64_syscall_trap(static_cast<long>(a0), static_cast<long>(a1), static_cast<long>(a2),
                                static_cast<long>(a3), static_cast<long>(a4), static_cast<long>(a5),
                                static_cast<long>(number)));
  }

  static constexpr std::size_t kcontext_frame_footprint = x86_64::kcontext_frame_footprint;
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    return x86_64::build_kcontext_frame(stack, entry, arg);
  }
};

}  // namespace cte::x86_64
