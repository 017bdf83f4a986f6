#pragma once
// The target's port (trap entry, kcontext, fast switch) and, for hosted builds, its signal
// mapping and the hosted signal layer; then the check of the whole target against the port
// contract (cte/port_contract.hpp). Needs the aliases of target.hpp and the runtime, which the
// port's trap entry calls into.

#include <cte/detail/runtime.hpp>
#include <cte/port_contract.hpp>
#include <cte/target.hpp>

#if defined(CTE_BOARD_HEADER)
#include CTE_BOARD_PORT_HEADER
#else
#include CTE_ISA_HOSTED_PORT_HEADER
#include CTE_ISA_HOSTED_SIGNALS_HEADER
#include <cte/platform/hosted_memory.hpp>
#include <cte/platform/hosted_traps.hpp>
#endif

static_assert(cte::IsaTraits<cte::TargetIsa>, "the ISA traits do not meet the port contract (cte/port_contract.hpp)");
static_assert(cte::PlatformFor<cte::TargetPlatform, cte::TargetIsa>,
              "the platform does not meet the port contract (cte/port_contract.hpp)");
static_assert(cte::PortFor<cte::TargetPort, cte::TargetIsa>,
              "the port does not meet the port contract (cte/port_contract.hpp)");
