#pragma once
// The x86_64 guarded touch (cte/detail/guarded_touch.hpp); the loads' destination, EAX, is
// scratch at a call.

#include <cte/detail/guarded_touch.hpp>

CTE_GUARDED_TOUCH(x86_64, "movzbl (%rdi), %eax", "movzbl (%rsi), %eax", "mov $1, %eax", "xor %eax, %eax", "ret")
