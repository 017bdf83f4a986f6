#pragma once
// How an AM program starts on each platform: its heap, its mainargs, and the call of its
// `int main(const char *args)`; and what AM's devices need from the platform. Included once,
// by cte::am's translation unit. Each start header defines, in namespace cte::am:
//   platform_putch(ch)               putch (and AM_UART_TX)
//   platform_on_tick()               at every timer tick, before the kernel's handler
//   platform_uptime_us()             AM_TIMER_UPTIME
//   platform_realtime_seconds()      AM_TIMER_RTC: seconds since the Unix epoch
//   platform_console_read(byte)      AM_UART_RX: true and the byte if one is waiting

#if defined(CTE_BOARD_HEADER)
#include <cte/am/board_start.hpp>
#else
#include <cte/am/hosted_start.hpp>
#endif
