#pragma once
// The riscv64 port as the portable layer sees it: one struct, the same members on every ISA
// (the fast switch is the ISA's FastSwitch, fast_switch.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/riscv64/fast_switch.hpp>
#include <cte/riscv64/kcontext.hpp>
#include <cte/riscv64/trap_entry.hpp>

namespace cte::riscv64 {

struct Port {
  using FastSwitch = riscv64::FastSwitch;
  static void yield_trap() { cte_riscv64_yield_trap(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return static_cast<std::uint64_t>(
        cte_riscv64_syscall_trap(static_cast<long>(a0), static_cast<long>(a1), static_cast<long>(a2),
                                 static_cast<long>(a3), static_cast<long>(a4), static_cast<long>(a5),
                                 static_cast<long>(number)));
  }

  static constexpr std::size_t kcontext_frame_footprint = riscv64::kcontext_frame_footprint;
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    return riscv64::build_kcontext_frame(stack, entry, arg);
  }
};

}  // namespace cte::riscv64
