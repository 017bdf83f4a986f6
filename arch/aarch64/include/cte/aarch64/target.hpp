#pragma once
// The aarch64 port as the ISA-selection ladder (<cte/target.hpp>) names it.
#include <cte/detail/select_isa.hpp>
#include <cte/aarch64/decode.hpp>
CTE_SELECT_ISA(aarch64)
#define CTE_ISA_HOSTED_PORT_HEADER <cte/aarch64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/aarch64/hosted_signal.hpp>
