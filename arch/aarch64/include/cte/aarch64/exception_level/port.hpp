#pragma once
// The aarch64 bare-metal port as the portable layer sees it: the same members as the hosted
// ports' Port, at the exception level the kernel runs at. The board's header declares
// `cte::TargetPort = Port<L>` and names this header as CTE_BOARD_PORT_HEADER, which
// <cte/target_port.hpp> includes after the runtime.
//
// yield and syscall are calls of level L's voluntary-trap stubs (voluntary_entry.hpp): as calls,
// the compiler assumes the handler (and every thread it runs meanwhile) may read and write any
// memory. The fast switch is the hosted one (aarch64::FastSwitch): pure user-level code.

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/exception_level/dispatch.hpp>
#include <cte/aarch64/exception_level/kcontext.hpp>
#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/voluntary_entry.hpp>
#include <cte/aarch64/fast_switch.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/kcontext_frame.hpp>
#include <cte/area.hpp>

namespace cte::aarch64::exception_level {

template <ExceptionLevel L>
struct Port {
  using FastSwitch = aarch64::FastSwitch;
  static void yield_trap() { yield_stub<L>(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return syscall_stub<L>(a0, a1, a2, a3, a4, a5, number);
  }

  static constexpr std::size_t kcontext_frame_footprint = aarch64::kcontext_frame_footprint;
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    return exception_level::build_kcontext_frame<L>(stack, entry, arg);
  }
};

}  // namespace cte::aarch64::exception_level
