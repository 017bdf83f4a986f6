#pragma once
// The x86_64 port as the target selection (<cte/target.hpp>) names it: its ISA traits, and the
// hosted port and signal mapping with the headers that define them. A board names its own port.

#include <cte/x86_64/decode.hpp>

namespace cte::x86_64 {
struct Port;           // port.hpp
struct HostedSignals;  // hosted_signal.hpp
}  // namespace cte::x86_64

namespace cte::selected_isa {
using Isa = x86_64::Isa;
using HostedPort = x86_64::Port;
using HostedSignals = x86_64::HostedSignals;
}  // namespace cte::selected_isa

#define CTE_ISA_HOSTED_PORT_HEADER <cte/x86_64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/x86_64/hosted_signal.hpp>
