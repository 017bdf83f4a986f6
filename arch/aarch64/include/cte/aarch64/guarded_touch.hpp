#pragma once
// The aarch64 guarded touch (cte/detail/guarded_touch.hpp); the loads' destination, w9, is
// scratch at a call.

#include <cte/detail/guarded_touch.hpp>

CTE_GUARDED_TOUCH(aarch64, "ldrb w9, [x0]", "ldrb w9, [x1]", "mov w0, #1", "mov w0, #0", "ret")
