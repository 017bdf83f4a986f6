#pragma once
// CTE_BOARD_HEADER of the aarch64 QEMU virt board, both levels (presets and CTE_BOARD
// aarch64-virt-el1, aarch64-virt-el2). The level the kernel runs at is one compile definition,
// CTE_AARCH64_VIRT_LEVEL, naming an ExceptionLevel enumerator (cmake/cteBoard.cmake sets it):
//   el1   qemu-system-aarch64 -machine virt,gic-version=3
//   el2   ... -machine virt,gic-version=3,virtualization=on
// Both link with arch/aarch64/boards/virt/virt.ld. Declares cte::TargetPlatform and
// cte::TargetPort; <cte/target_port.hpp> includes the port's definition (CTE_BOARD_PORT_HEADER)
// once the runtime it calls into is declared.

#if !defined(CTE_AARCH64_VIRT_LEVEL)
#error "the aarch64 QEMU virt board needs CTE_AARCH64_VIRT_LEVEL=el1 or =el2 (cmake/cteBoard.cmake sets it)"
#endif

#include <cte/aarch64/board/virt/board.hpp>
#include <cte/aarch64/exception_level/level.hpp>

namespace cte::aarch64::exception_level {
template <ExceptionLevel L>
struct Port;  // exception_level/port.hpp
}  // namespace cte::aarch64::exception_level

namespace cte::aarch64::virt {
// The level the kernel runs at (an unknown name fails to compile here).
inline constexpr ExceptionLevel kernel_level = ExceptionLevel::CTE_AARCH64_VIRT_LEVEL;
}  // namespace cte::aarch64::virt

namespace cte {
using TargetPlatform = aarch64::virt::Board<aarch64::virt::kernel_level>;
using TargetPort = aarch64::exception_level::Port<aarch64::virt::kernel_level>;
}  // namespace cte

#define CTE_BOARD_PORT_HEADER <cte/aarch64/exception_level/port.hpp>

#include <cte/aarch64/board/virt/boot.hpp>
