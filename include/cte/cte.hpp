#pragma once
// cte — one trap, interrupt and context-switch layer for x86_64, riscv64 and aarch64,
// bare metal and hosted. Include this header; everything else is an implementation detail.

#include <cte/area.hpp>
#include <cte/event.hpp>
#include <cte/context.hpp>
#include <cte/target.hpp>
#include <cte/api.hpp>
#include <cte/fast_switch.hpp>
#include <cte/trm.hpp>
#include <cte/timer.hpp>
#include <cte/interrupt_source.hpp>
#include <cte/guarded_stack.hpp>
#include <cte/protected_page.hpp>
#include <cte/loopback_irq.hpp>
