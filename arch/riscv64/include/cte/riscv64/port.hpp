#pragma once
// The riscv64 hosted port: its fast switch, trap stubs and kcontext frames, as one Port.
#include <cte/riscv64/fast_switch.hpp>
#include <cte/riscv64/kcontext.hpp>
CTE_HOSTED_PORT(riscv64)
