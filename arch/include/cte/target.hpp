#pragma once
// The one place that maps the compiler's target onto an ISA port and a platform.
// Portable code names only the aliases declared here: TargetIsa, TargetPlatform, Event,
// Context and (after <cte/target_port.hpp>) TargetPort.

#include <cte/context.hpp>
#include <cte/event.hpp>

#if defined(__x86_64__)
#include <cte/x86_64/decode.hpp>
namespace cte {
using TargetIsa = x86_64::Isa;
}
#elif defined(__riscv) && __riscv_xlen == 64
#include <cte/riscv64/decode.hpp>
namespace cte {
using TargetIsa = riscv64::Isa;
}
#elif defined(__aarch64__)
#include <cte/aarch64/decode.hpp>
namespace cte {
using TargetIsa = aarch64::Isa;
}
#else
#error "cte supports x86_64, riscv64 and aarch64 only"
#endif

// A bare-metal build names its board header (the board's CMake target sets it); otherwise
// the program is a Linux process.
#if defined(CTE_BOARD_HEADER)
#include CTE_BOARD_HEADER
#elif defined(__linux__)
#include <cte/platform/hosted.hpp>
namespace cte {
using TargetPlatform = Hosted;
}
#else
#error "cte: no platform. Hosted builds need Linux; bare-metal builds define CTE_BOARD_HEADER (see docs/ARCHITECTURE.md)"
#endif

namespace cte {
using Event = BasicEvent<TargetIsa>;
using Context = BasicContext<TargetIsa, TargetPlatform>;
}  // namespace cte
