#pragma once
// The x86_64 port as the ISA-selection ladder (<cte/target.hpp>) names it.
#include <cte/detail/select_isa.hpp>
#include <cte/x86_64/decode.hpp>
CTE_SELECT_ISA(x86_64)
#define CTE_ISA_HOSTED_PORT_HEADER <cte/x86_64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/x86_64/hosted_signal.hpp>
