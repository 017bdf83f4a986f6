#pragma once
// Hosted start of an AM program, as Abstract Machine's native platform does it: the program's
// main(const char *args) is called from a constructor with the `mainargs` environment variable
// (empty if unset), before the C library would call main(argc, argv) — which never happens,
// because halt() (or main's return) ends the process first.
//
// Output order and loss: stdout is line-buffered from the start, also into a file or pipe,
// and putch flushes it before writing its byte (with write(2)), so printf and putch come out
// in program order, every complete line is out when it is printed, a partial line is out by
// the next timer tick, and halt() (exit) flushes the rest. Not unbuffered (_IONBF) as AM native: glibc's printf on an unbuffered stream puts
// an 8 KiB work buffer on the caller's stack, which overflows the 8 KiB stacks AM kernels give
// their threads (docs/AM.md has the measurements).
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

inline void platform_putch(char ch) {
  std::fflush(stdout);
  cte::putch(ch);
}
// At a timer tick: the signal layer holds a tick back while the kernel is inside libc, so
// stdout's lock is free here.
inline void platform_on_tick() { std::fflush(stdout); }
inline std::uint64_t platform_uptime_us() { return monotonic_us() - start_us; }
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
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
  cte::am::start_us = cte::am::monotonic_us();
  void *memory = ::mmap(nullptr, cte::am::hosted_heap_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory != MAP_FAILED) heap = {memory, static_cast<char *>(memory) + cte::am::hosted_heap_size};
  const char *args = std::getenv("mainargs");
  cte::halt(cte_am_program_main(args ? args : ""));
}
