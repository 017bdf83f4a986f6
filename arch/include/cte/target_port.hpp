#pragma once
// The target's port (trap entry, kcontext, fast switch) and, for hosted builds, its signal
// mapping and the hosted signal layer. Needs the aliases of target.hpp and the runtime, which
// the port's trap entry calls into.

#include <cte/target.hpp>
#include <cte/detail/runtime.hpp>

#if defined(CTE_BOARD_HEADER)
// A bare-metal board declared TargetPort in its board header and names the port's header.
#include CTE_BOARD_PORT_HEADER
#elif defined(__x86_64__)
#include <cte/x86_64/port.hpp>
namespace cte {
using TargetPort = x86_64::Port;
}
#elif defined(__riscv)
#include <cte/riscv64/port.hpp>
namespace cte {
using TargetPort = riscv64::Port;
}
#elif defined(__aarch64__)
#include <cte/aarch64/port.hpp>
namespace cte {
using TargetPort = aarch64::Port;
}
#endif

#if !defined(CTE_BOARD_HEADER)
#if defined(__x86_64__)
#include <cte/x86_64/hosted_signal.hpp>
namespace cte {
using TargetHostedSignals = x86_64::HostedSignals;
}
#elif defined(__riscv)
#include <cte/riscv64/hosted_signal.hpp>
namespace cte {
using TargetHostedSignals = riscv64::HostedSignals;
}
#elif defined(__aarch64__)
#include <cte/aarch64/hosted_signal.hpp>
namespace cte {
using TargetHostedSignals = aarch64::HostedSignals;
}
#endif
#include <cte/platform/hosted_stack.hpp>
#include <cte/platform/hosted_traps.hpp>
#endif
