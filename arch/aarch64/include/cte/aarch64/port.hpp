#pragma once
// The aarch64 hosted port: its fast switch, trap stubs and kcontext frames, as one Port.
#include <cte/aarch64/fast_switch.hpp>
#include <cte/aarch64/kcontext.hpp>
CTE_HOSTED_PORT(aarch64)
