#pragma once
// The target's port (trap entry, kcontext, fast switch). Needs the aliases of target.hpp and
// the runtime, which the port's trap entry calls into.

#include <cte/target.hpp>
#include <cte/detail/runtime.hpp>

#if defined(__x86_64__)
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
