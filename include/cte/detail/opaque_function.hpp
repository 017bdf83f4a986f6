#pragma once
// cte_opaque_function: returns at once, and the compiler cannot see into it (it is defined in
// assembly), so a call to it counts as a call to unknown code: it may read and write any
// variable of the program. The fast switch's compiler fence (cte/fast_switch.hpp) uses it.

#include <cte/detail/asm.hpp>

extern "C" void cte_opaque_function() noexcept;

asm(CTE_ASM_FUNCTION_BEGIN(cte_opaque_function) "  ret\n" CTE_ASM_FUNCTION_END(cte_opaque_function));
