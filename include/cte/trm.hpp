#pragma once
// The few machine services a kernel needs besides CTE (Abstract Machine's TRM): character
// output and halting. Hosted: stdout and exit(); bare metal: the board's UART and exit device.

#include <cstddef>

#include <cte/target.hpp>

namespace cte {

inline void putch(char c) { TargetPlatform::console_write(&c, 1); }

inline void putstr(const char *text) {
  std::size_t size = 0;
  while (text[size]) ++size;
  TargetPlatform::console_write(text, size);
}

// Ends the program with `code` as its exit status.
[[noreturn]] inline void halt(int code) { TargetPlatform::halt(code); }

}  // namespace cte
