#pragma once
// The riscv64 bare-metal port as the portable layer sees it: the same members as the hosted
// ports' Port, over the privilege mode the kernel runs in. A board's per-mode header declares
// `cte::TargetPort = Port<P>` and names this header as CTE_BOARD_PORT_HEADER, which
// <cte/target_port.hpp> includes after the runtime.
//
// The fast switch is the hosted one (riscv64::FastSwitch, riscv64/fast_switch.hpp): pure
// user-level code.

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/riscv64/fast_switch.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/privileged/dispatch.hpp>
#include <cte/riscv64/privileged/kcontext.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

namespace cte::riscv64::privileged {

template <Privilege P>
struct Port {
  using FastSwitch = riscv64::FastSwitch;
  static void yield_trap() { Stubs<P>::yield(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return static_cast<std::uint64_t>(
        Stubs<P>::syscall(static_cast<long>(a0), static_cast<long>(a1), static_cast<long>(a2), static_cast<long>(a3),
                          static_cast<long>(a4), static_cast<long>(a5), static_cast<long>(number)));
  }

  static constexpr std::size_t kcontext_frame_footprint = riscv64::kcontext_frame_footprint;
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    return privileged::build_kcontext_frame<P>(stack, entry, arg);
  }
};

}  // namespace cte::riscv64::privileged
