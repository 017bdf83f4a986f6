#pragma once
// How an AM program starts on each platform: its heap, its mainargs, and the call of its
// `int main(const char *args)`. Included once, by cte::am's translation unit.

#if defined(CTE_BOARD_HEADER)
#include <cte/am/board_start.hpp>
#else
#include <cte/am/hosted_start.hpp>
#endif
