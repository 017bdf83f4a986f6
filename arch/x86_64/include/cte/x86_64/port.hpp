#pragma once
// The x86_64 hosted port: its fast switch, trap stubs and kcontext frames, as one Port.
#include <cte/x86_64/fast_switch.hpp>
#include <cte/x86_64/kcontext.hpp>
CTE_HOSTED_PORT(x86_64)
