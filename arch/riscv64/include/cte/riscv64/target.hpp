#pragma once
// The riscv64 port as the ISA-selection ladder (<cte/target.hpp>) names it.
#include <cte/detail/select_isa.hpp>
#include <cte/riscv64/decode.hpp>
CTE_SELECT_ISA(riscv64)
#define CTE_ISA_HOSTED_PORT_HEADER <cte/riscv64/port.hpp>
#define CTE_ISA_HOSTED_SIGNALS_HEADER <cte/riscv64/hosted_signal.hpp>
