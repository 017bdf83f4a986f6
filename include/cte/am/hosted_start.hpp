#pragma once
// Hosted start of an AM program, as Abstract Machine's native platform does it: the program's
// main(const char *args) is called from a constructor with the `mainargs` environment variable
// (empty if unset), before the C library would call main(argc, argv) — which never happens,
// because halt() (or main's return) ends the process first.

#include <sys/mman.h>

#include <cstdlib>

#include <am.h>

#include <cte/cte.hpp>

// The AM program's main, whatever the C library thinks main's signature is.
extern "C" int cte_am_program_main(const char *args) __asm__("main");

Area heap = {nullptr, nullptr};

namespace cte::am {
inline constexpr std::size_t hosted_heap_size = 128u << 20;
}

[[gnu::constructor(65535)]] static void cte_am_start() {
  void *memory = ::mmap(nullptr, cte::am::hosted_heap_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory != MAP_FAILED) heap = {memory, static_cast<char *>(memory) + cte::am::hosted_heap_size};
  const char *args = std::getenv("mainargs");
  cte::halt(cte_am_program_main(args ? args : ""));
}
