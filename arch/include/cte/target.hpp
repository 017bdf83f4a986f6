#pragma once
// The one place that maps the compiler's target onto an ISA port and a platform.
// Portable code names only the aliases declared here: TargetIsa, TargetPlatform, TargetPort,
// Event and Context (the port's definitions follow in <cte/target_port.hpp>, once the runtime
// they call into is declared).

#include <cte/context.hpp>
#include <cte/event.hpp>

// The ISA: each port's target.hpp declares cte::selected_isa and names its hosted headers.
#if defined(__x86_64__)
#include <cte/x86_64/target.hpp>
#elif defined(__riscv) && __riscv_xlen == 64
#include <cte/riscv64/target.hpp>
#elif defined(__aarch64__)
#include <cte/aarch64/target.hpp>
#else
#error "cte supports x86_64, riscv64 and aarch64 only"
#endif

namespace cte {
using TargetIsa = selected_isa::Isa;
}

// The platform: a bare-metal build names its board header (the board's CMake target sets it),
// which declares TargetPlatform and TargetPort; otherwise the program is a Linux process.
#if defined(CTE_BOARD_HEADER)
#include CTE_BOARD_HEADER
#elif defined(__linux__)
#include <cte/platform/hosted.hpp>
namespace cte {
using TargetPlatform = Hosted;
using TargetPort = selected_isa::HostedPort;
using TargetHostedSignals = selected_isa::HostedSignals;
}  // namespace cte
#else
#error \
    "cte: no platform. Hosted builds need Linux; bare-metal builds define CTE_BOARD_HEADER (see docs/ARCHITECTURE.md)"
#endif

namespace cte {
using Event = BasicEvent<TargetIsa>;
using Context = BasicContext<TargetIsa, TargetPlatform>;
}  // namespace cte
