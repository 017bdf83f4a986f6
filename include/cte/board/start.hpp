#pragma once
// The C++ start of a cte image on every board, after the board's own entry code (ISA
// assembly) has set up a stack and cleared .bss:
//   cte_board_start(devicetree)  keeps the device tree, runs the board's boot_init (trap
//                                vector, timer parked, memory protection), then every
//                                .init_array constructor in order
//   main(cte_board_mainargs)     called by the entry code
//   cte_board_finish(status)     main returned: the board's halt ends the QEMU run with it
// and the C++ runtime support an image needs without a C library: __cxa_atexit and
// __dso_handle (static destructors are registered but never run: an image never exits
// normally) and __cxa_pure_virtual (reported as fatal).
//
// Included by a board header once it has declared cte::TargetPlatform. The section and symbol
// names are those of the shared linker-script fragment arch/boards/sections.ld.

extern "C" {
// Linker-script symbols (arch/boards/sections.ld).
extern void (*const cte_board_init_array_start[])();
extern void (*const cte_board_init_array_end[])();

// The device tree the boot loader passed (0 if none): portable code reads it through this
// name (e.g. the AM start's run-time mainargs, include/cte/am/board_start.hpp).
[[gnu::used]] inline const void *cte_board_devicetree = nullptr;

// Board initialisation and static constructors, before main.
[[gnu::used]] inline void cte_board_start(const void *devicetree) {
  cte_board_devicetree = devicetree;
  cte::TargetPlatform::boot_init();
  for (auto *constructor = cte_board_init_array_start; constructor != cte_board_init_array_end; ++constructor)
    (*constructor)();
}

// main returned `status`.
[[noreturn, gnu::used]] inline void cte_board_finish(int status) { cte::TargetPlatform::halt(status); }

// A call of a pure virtual function (an object used during its construction or destruction).
[[noreturn, gnu::used]] inline void __cxa_pure_virtual() {
  static constexpr char report[] = "cte: fatal: pure virtual function called\n";
  cte::TargetPlatform::report_write(report, sizeof report - 1);
  cte::TargetPlatform::terminate_failure();
}

// Registration of a static destructor: accepted, never run.
[[gnu::used]] inline int __cxa_atexit(void (*)(void *), void *, void *) noexcept { return 0; }
// The handle __cxa_atexit registrations name (normally from crtbegin).
[[gnu::used, gnu::visibility("hidden")]] inline void *__dso_handle = nullptr;
}
