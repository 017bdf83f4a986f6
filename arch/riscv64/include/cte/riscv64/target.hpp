#pragma once
// The riscv64 port as the target selection (<cte/target.hpp>) names it: its ISA traits, and the
// hosted port and signal mapping with the headers that define them. A board names its own port.

#include <cte/riscv64/decode.hpp>

namespace cte::riscv64 {
struct Port;           // port.hpp
struct HostedSignals;  // hosted_signal.hpp
}  // namespace cte::riscv64

namespace cte::selected_isa {
using Isa = riscv64::Isa;
using HostedPort = riscv64::Port;
using HostedSignals = riscv64::HostedSignals;
}  // namespace cte::selected_isa

#define CTE_ISA_HOSTED_PORT_HEADER <cte/riscv64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/riscv64/hosted_signal.hpp>
