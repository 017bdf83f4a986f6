#pragma once
// Bare-metal start of an AM program: the board's boot code calls main(cte_board_mainargs),
// whose text is the build-time CTE_AM_MAINARGS (empty by default); the heap is the RAM the
// board leaves after the image.

#include <am.h>

#include <cte/cte.hpp>

#if !defined(CTE_AM_MAINARGS)
#define CTE_AM_MAINARGS ""
#endif

extern "C" const char cte_board_mainargs[] = CTE_AM_MAINARGS;

Area heap = {cte::TargetPlatform::heap().start, cte::TargetPlatform::heap().end};
