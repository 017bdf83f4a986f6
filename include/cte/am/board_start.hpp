#pragma once
// Bare-metal start of an AM program: the board's boot code calls main(cte_board_mainargs).
// Its text is the kernel command line the boot loader passed in the device tree
// (/chosen/bootargs: QEMU's -append), read before main by a constructor; without one (or
// with an empty one) it is the build-time CTE_AM_MAINARGS (empty by default). The heap is the
// RAM the board leaves after the image (the device tree may lie in it: it is read before main
// runs, and never again).
// Also the board's devices of AM's IOE: the clocks (time since reset, wall clock) and the
// console UART's input.

#include <cstddef>
#include <cstdint>

#include <am.h>

#include <cte/cte.hpp>
#include <cte/detail/format.hpp>
#include <cte/devicetree.hpp>

#if !defined(CTE_AM_MAINARGS)
#define CTE_AM_MAINARGS ""
#endif

namespace cte::am {
// Longest command line accepted, terminating NUL included.
inline constexpr std::size_t mainargs_capacity = 1024;
static_assert(sizeof(CTE_AM_MAINARGS) <= mainargs_capacity, "CTE_AM_MAINARGS is too long");
}  // namespace cte::am

extern "C" {
char cte_board_mainargs[cte::am::mainargs_capacity] = CTE_AM_MAINARGS;
}

Area heap = {cte::TargetPlatform::heap().start, cte::TargetPlatform::heap().end};

namespace cte::am {

inline void platform_putch(char ch) { cte::putch(ch); }
inline void platform_on_tick() {}
inline std::uint64_t platform_uptime_us() { return TargetPlatform::uptime_us(); }
inline std::int64_t platform_realtime_seconds() {
  return static_cast<std::int64_t>(TargetPlatform::realtime_ns() / 1000000000u);
}
inline bool platform_console_read(char &byte) { return TargetPlatform::console_read(byte); }

}  // namespace cte::am

[[gnu::constructor]] static void cte_am_read_bootargs() {
  const char *bootargs = cte::devicetree::bootargs(cte_board_devicetree);
  if (!bootargs || !*bootargs) return;
  std::size_t length = 0;
  while (bootargs[length]) ++length;
  if (length >= cte::am::mainargs_capacity) {
    cte::detail::TextBuffer headline;
    headline.text("mainargs: the boot command line has ").dec(length).text(" bytes; at most ");
    headline.dec(cte::am::mainargs_capacity - 1).text(" fit");
    cte::detail::fatal(headline.data());
  }
  for (std::size_t i = 0; i <= length; ++i) cte_board_mainargs[i] = bootargs[i];
}
