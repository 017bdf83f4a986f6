#pragma once
// CTE_BOARD_HEADER of the pc board (preset and CTE_BOARD x86_64-pc): QEMU q35, -cpu max, the
// kernel in long mode. Declares cte::TargetPlatform and cte::TargetPort; <cte/target_port.hpp>
// includes the port's definition (CTE_BOARD_PORT_HEADER) once the runtime it calls into is
// declared.

#if !defined(__x86_64__) || defined(__pic__)
#error "the pc board needs a non-PIE x86_64 kernel, built -mno-red-zone (cmake/toolchains/x86_64-pc.cmake)"
#endif

#include <cte/x86_64/board/pc/board.hpp>

namespace cte::x86_64::pc {
struct Port;  // port.hpp
}

namespace cte {
using TargetPlatform = x86_64::pc::Board;
using TargetPort = x86_64::pc::Port;
}  // namespace cte

#define CTE_BOARD_PORT_HEADER <cte/x86_64/board/pc/port.hpp>

#include <cte/x86_64/board/pc/boot.hpp>
