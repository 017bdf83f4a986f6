#pragma once
// Hosted start of an AM program, as Abstract Machine's native platform does it: the program's
// main(const char *args) is called from a constructor with the `mainargs` environment variable
// (empty if unset), before the C library would call main(argc, argv) — which never happens,
// because halt() (or main's return) ends the process first.
//
// stdout is unbuffered from the start, as on AM native: printf and putch (a write(2) of its
// own) come out in program order, and nothing is lost in a buffer when a kernel is stopped
// or its output goes to a file or pipe.
// Also the hosted devices of AM's IOE: the clocks (CLOCK_MONOTONIC since start,
// CLOCK_REALTIME) and the UART's input (stdin, without blocking).

#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <am.h>

#include <cte/cte.hpp>

// The AM program's main, whatever the C library thinks main's signature is.
extern "C" int cte_am_program_main(const char *args) __asm__("main");

Area heap = {nullptr, nullptr};

namespace cte::am {
inline constexpr std::size_t hosted_heap_size = 128u << 20;

inline std::uint64_t monotonic_us() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}
inline std::uint64_t start_us = 0;  // set before main runs

inline std::uint64_t platform_uptime_us() { return monotonic_us() - start_us; }
inline constexpr bool platform_has_rtc() { return true; }
inline std::int64_t platform_realtime_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec;
}
// One byte of stdin if one is waiting (false otherwise, and at end of input).
inline bool platform_console_read(char &byte) {
  pollfd input{STDIN_FILENO, POLLIN, 0};
  if (::poll(&input, 1, 0) != 1 || !(input.revents & POLLIN)) return false;
  return ::read(STDIN_FILENO, &byte, 1) == 1;
}
}  // namespace cte::am

[[gnu::constructor(65535)]] static void cte_am_start() {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  cte::am::start_us = cte::am::monotonic_us();
  void *memory = ::mmap(nullptr, cte::am::hosted_heap_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory != MAP_FAILED) heap = {memory, static_cast<char *>(memory) + cte::am::hosted_heap_size};
  const char *args = std::getenv("mainargs");
  cte::halt(cte_am_program_main(args ? args : ""));
}
