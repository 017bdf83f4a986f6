#pragma once
// CTE_BOARD_HEADER of the QEMU virt board, both modes (presets and CTE_BOARD riscv64-virt-m,
// riscv64-virt-s). The privilege the kernel runs in is one compile definition,
// CTE_RISCV64_VIRT_PRIVILEGE, naming a Privilege enumerator (cmake/cteBoard.cmake sets it with
// the linker script that goes with it):
//   machine      QEMU -bios none, linked at 0x80000000 (machine.ld)
//   supervisor   under OpenSBI (QEMU -bios default), linked at 0x80200000 (supervisor.ld)
// Declares cte::TargetPlatform and cte::TargetPort; <cte/target_port.hpp> includes the port's
// definition (CTE_BOARD_PORT_HEADER) once the runtime it calls into is declared.

#if !defined(CTE_RISCV64_VIRT_PRIVILEGE)
#error "the QEMU virt board needs CTE_RISCV64_VIRT_PRIVILEGE=machine or =supervisor (cmake/cteBoard.cmake sets it)"
#endif

#include <cte/riscv64/board/virt/board.hpp>
#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::privileged {
template <Privilege P>
struct Port;  // privileged/port.hpp
}  // namespace cte::riscv64::privileged

namespace cte::riscv64::virt {
// The privilege the kernel runs in (an unknown name fails to compile here).
inline constexpr privileged::Privilege kernel_privilege = privileged::Privilege::CTE_RISCV64_VIRT_PRIVILEGE;
}  // namespace cte::riscv64::virt

namespace cte {
using TargetPlatform = riscv64::virt::Board<riscv64::virt::kernel_privilege>;
using TargetPort = riscv64::privileged::Port<riscv64::virt::kernel_privilege>;
}  // namespace cte

#define CTE_BOARD_PORT_HEADER <cte/riscv64/privileged/port.hpp>

#include <cte/riscv64/board/virt/boot.hpp>
