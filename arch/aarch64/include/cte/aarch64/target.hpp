#pragma once
// The aarch64 port as the target selection (<cte/target.hpp>) names it: its ISA traits, and the
// hosted port and signal mapping with the headers that define them. A board names its own port.

#include <cte/aarch64/decode.hpp>

namespace cte::aarch64 {
struct Port;           // port.hpp
struct HostedSignals;  // hosted_signal.hpp
}  // namespace cte::aarch64

namespace cte::selected_isa {
using Isa = aarch64::Isa;
using HostedPort = aarch64::Port;
using HostedSignals = aarch64::HostedSignals;
}  // namespace cte::selected_isa

#define CTE_ISA_HOSTED_PORT_HEADER <cte/aarch64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/aarch64/hosted_signal.hpp>
