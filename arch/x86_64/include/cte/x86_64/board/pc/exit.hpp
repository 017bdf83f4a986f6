#pragma once
// The pc board's exit: QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,
// iosize=0x04). A 32-bit write of v ends QEMU with status (v << 1) | 1, so QEMU can never
// exit 0 through it, and 1 is also QEMU's own failure status. The mapping (undone by
// arch/x86_64/boards/pc/qemu-run, which exits with the image's code):
//   halt(code), 0 <= code <= max_code   writes code + 1: QEMU status 2 * code + 3
//   any other code                      as max_code
// QEMU ending any other way (status 0: reset, triple fault, or a run without the device)
// is never a pass: qemu-run reports it.

#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>

namespace cte::x86_64::pc {

struct DebugExit {
  static constexpr std::uint16_t port = 0xf4;
  static constexpr int max_code = 126;  // 2 * 126 + 3 = 255: the largest status a process has

  [[noreturn]] static void exit(int code) {
    const int mapped = code < 0 || code > max_code ? max_code : code;
    outl(port, static_cast<std::uint32_t>(mapped + 1));
    for (;;) asm volatile("cli; hlt");  // QEMU stops at the write
  }
};

}  // namespace cte::x86_64::pc
