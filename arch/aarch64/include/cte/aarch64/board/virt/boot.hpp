#pragma once
// Boot of a cte image on QEMU virt, at EL1 or EL2. QEMU enters an ELF image at its entry
// point (cte_board_entry, first in .text) with x0-x3 = 0, at EL1 (`-machine virt`) or EL2
// (`virtualization=on`). The device tree is at the base of RAM (0x40000000) when the image is
// linked above it (virt.ld links at 0x40100000).
//
//   1. An image started at another level than it was built for stops with a report.
//   2. FP/SIMD on (CPACR_EL1.FPEN / CPTR_EL2.TFP) before any compiled code; SP_ELx = the
//      exception stack (trap_scratch.hpp), SP_EL0 = the boot stack, then SPSel = 0: main runs
//      on SP_EL0 like every thread, so every trap switches to the exception stack.
//   3. .bss cleared; cte_board_start(device tree) (cte/board/start.hpp, every board's): the
//      board's boot_init (vector table, MMU, GIC, timer parked), then .init_array.
//   4. main(); its return value ends the QEMU run through cte_board_finish (semihosting exit).
//
// Included by the board header (virt.hpp): it needs cte::TargetPlatform declared.

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/board/virt/pl011.hpp>
#include <cte/aarch64/board/virt/semihosting.hpp>
#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/trap_scratch.hpp>
#include <cte/board/start.hpp>
#include <cte/detail/asm.hpp>

// Linker-script symbols (arch/boards/sections.ld).
extern "C" {
extern unsigned char cte_board_bss_start[], cte_board_bss_end[], cte_board_stack_top[];
}

namespace cte::aarch64::virt {

inline constexpr std::uintptr_t devicetree_address = 0x40000000;
// CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 and EL0 not trapped. CPTR_EL2 with TFP (bit 10)
// clear and its RES1 bits (13:12, 9:0) set.
inline constexpr std::uint64_t cpacr_fp_enabled = 3u << 20;
inline constexpr std::uint64_t cptr_el2_fp_enabled = 0x33ff;
inline constexpr unsigned current_el_shift = 2;  // CurrentEL.EL is bits 3:2

// For the level the image is built for (virt.hpp: kernel_level).
[[gnu::used]] inline void emit_boot_entry() {
  constexpr ExceptionLevel L = kernel_level;
  asm volatile(
      // --- The image's entry point (first in .text). The outermost frame: a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_board_entry)
      ".cfi_undefined x30\n"
      "  mrs x0, CurrentEL\n"
      "  cmp x0, #(%c[el] << %c[el_shift])\n"
      "  b.ne 9f\n"
      ".if %c[el] == 1\n"
      "  mov x0, #%c[cpacr]\n"
      "  msr cpacr_el1, x0\n"
      ".else\n"
      "  mov x0, #%c[cptr]\n"
      "  msr cptr_el2, x0\n"
      ".endif\n"
      "  isb\n"
      "  adrp x0, cte_aarch64_trap_scratch + %c[exception_stack_top]\n"
      "  add x0, x0, :lo12:cte_aarch64_trap_scratch + %c[exception_stack_top]\n"
      "  mov sp, x0\n"
      "  adrp x0, cte_board_stack_top\n"
      "  add x0, x0, :lo12:cte_board_stack_top\n"
      "  msr sp_el0, x0\n"
      "  msr spsel, #0\n"
      "  mov x29, #0\n"  // end of the frame-record chain
      "  adrp x0, cte_board_bss_start\n"
      "  add x0, x0, :lo12:cte_board_bss_start\n"
      "  adrp x1, cte_board_bss_end\n"
      "  add x1, x1, :lo12:cte_board_bss_end\n"
      "1:\n"  // clear .bss a word at a time (the linker script aligns both ends)
      "  cmp x0, x1\n"
      "  b.hs 2f\n"
      "  str xzr, [x0], #8\n"
      "  b 1b\n"
      "2:\n"
      "  mov x0, #%c[devicetree]\n"
      "  bl cte_board_start\n"
      // main(args): AM programs take it, C++ main() ignores it. The linker script provides an
      // empty string unless the program defines cte_board_mainargs (cte::am does).
      "  adrp x0, cte_board_mainargs\n"
      "  add x0, x0, :lo12:cte_board_mainargs\n"
      "  bl main\n"
      "  b cte_board_finish\n"  // x0 = main's return value
      // --- Started at another level: say so on the console, exit with status 1.
      "9:\n"
      "  adr x1, 8f\n"
      "  mov x2, #%c[uart]\n"
      "3:\n"
      "  ldrb w3, [x1], #1\n"
      "  cbz w3, 4f\n"
      "  str w3, [x2]\n"
      "  b 3b\n"
      "4:\n"
      "  adr x1, 7f\n"
      "  mov x0, #%c[exit_extended]\n"
      "  hlt #0xf000\n"
      "  b 4b\n"
      "  .p2align 3\n"
      "7:\n"
      "  .quad %c[application_exit], 1\n"
      "8:\n"
      "  .asciz \"cte: fatal: image built for EL%c[el], started at another level (QEMU virt starts at EL2 "
      "with virtualization=on, else at EL1)\\n\"\n"
      CTE_ASM_FUNCTION_END(cte_board_entry)
      ::[el] "i"(static_cast<unsigned>(L)), [el_shift] "i"(current_el_shift), [cpacr] "i"(cpacr_fp_enabled),
      [cptr] "i"(cptr_el2_fp_enabled),
      [exception_stack_top] "i"(offsetof(exception_level::TrapScratch, exception_stack) +
                                exception_level::exception_stack_size),
      [devicetree] "i"(devicetree_address), [uart] "i"(Pl011::base),
      [exit_extended] "i"(SemihostingExit::exit_extended), [application_exit] "i"(SemihostingExit::application_exit));
}

}  // namespace cte::aarch64::virt
