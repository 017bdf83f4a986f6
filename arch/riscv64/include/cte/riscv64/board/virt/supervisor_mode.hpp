#pragma once
// CTE_BOARD_HEADER of the QEMU virt board with the kernel in supervisor mode (preset and
// CTE_BOARD riscv64-virt-s; QEMU -bios default (OpenSBI), linked at 0x80200000).
// Declares cte::TargetPlatform and cte::TargetPort; <cte/target_port.hpp> includes the port's
// definition (CTE_BOARD_PORT_HEADER) once the runtime it calls into is declared.

#if defined(CTE_RISCV64_VIRT_MODE_HEADER)
#error "include one QEMU virt mode header only (machine_mode.hpp or supervisor_mode.hpp)"
#endif
#define CTE_RISCV64_VIRT_MODE_HEADER 1

#include <cte/riscv64/board/virt/board.hpp>
#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::privileged {
template <Privilege P>
struct Port;  // privileged/port.hpp
}  // namespace cte::riscv64::privileged

namespace cte {
using TargetPlatform = riscv64::virt::Board<riscv64::privileged::Privilege::supervisor>;
using TargetPort = riscv64::privileged::Port<riscv64::privileged::Privilege::supervisor>;
}  // namespace cte

#define CTE_BOARD_PORT_HEADER <cte/riscv64/privileged/port.hpp>

#include <cte/riscv64/board/virt/boot.hpp>
