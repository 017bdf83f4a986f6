#pragma once
// The few machine services a kernel needs besides CTE (Abstract Machine's TRM): character
// output (text and numbers) and halting. Hosted: stdout and exit(); bare metal: the board's
// UART and exit device.

#include <cstddef>
#include <cstdint>

#include <cte/detail/format.hpp>

#include <cte/target.hpp>

namespace cte {

inline void putch(char c) { TargetPlatform::console_write(&c, 1); }

// A null pointer prints "(null)", as printf's %s does on glibc, instead of faulting.
inline void putstr(const char *text) {
  if (!text) text = "(null)";
  std::size_t size = 0;
  while (text[size]) ++size;
  TargetPlatform::console_write(text, size);
}

// Numbers, without libc (bare metal, signal handlers): decimal, and hexadecimal as 0x followed
// by the digits without leading zeros (0x0 for zero). Both print whole 64-bit values.
// Each is one console write (hosted: one write(2), not interleaved with other output).
inline void putdec(std::uint64_t value) {
  char text[20];
  std::size_t size = 0;
  detail::format_decimal(value, [&](char c) { text[size++] = c; });
  TargetPlatform::console_write(text, size);
}
inline void puthex(std::uint64_t value) {
  char text[18];
  std::size_t size = 0;
  detail::format_hex(value, [&](char c) { text[size++] = c; });
  TargetPlatform::console_write(text, size);
}

// Ends the program with `code` as its exit status.
[[noreturn]] inline void halt(int code) { TargetPlatform::halt(code); }

}  // namespace cte
