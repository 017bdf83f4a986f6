#pragma once
// Bare-metal start of an AM program: the board's boot code calls main; AM programs get the
// build-time string CTE_AM_MAINARGS (empty by default) and the RAM after the image as heap.

#include <am.h>

#include <cte/cte.hpp>

#if !defined(CTE_AM_MAINARGS)
#define CTE_AM_MAINARGS ""
#endif

Area heap = {cte::TargetPlatform::heap().start, cte::TargetPlatform::heap().end};
