#pragma once
// Boot of a cte image on QEMU virt, both modes. QEMU (-bios none, M-mode) and OpenSBI
// (S-mode) both enter the image at its first byte with a0 = hart id, a1 = the device tree
// blob (kept in cte_board_devicetree); the linker scripts put
// cte_board_entry there (and name it the ELF entry).
//
//   1. Harts other than 0 park (virt starts one hart unless -smp says otherwise).
//   2. sp = the boot stack (linker script), FP on (sstatus.FS: in M-mode sstatus is a view of
//      mstatus), .bss cleared.
//   3. cte_board_start(device tree) (cte/board/start.hpp, every board's): the board's boot_init
//      (trap vector, timer parked, M-mode PMP and MPRV), then every .init_array constructor.
//   4. main(); its return value ends the QEMU run through cte_board_finish: the board's halt
//      (exit device).
//
// Included by the board header (virt.hpp): it needs cte::TargetPlatform declared.

#include <cstdint>

#include <cte/board/start.hpp>
#include <cte/detail/asm.hpp>
#include <cte/riscv64/privileged/mode.hpp>

// Linker-script symbols (arch/boards/sections.ld).
extern "C" {
extern unsigned char cte_board_bss_start[], cte_board_bss_end[], cte_board_stack_top[];
}

namespace cte::riscv64::virt {

[[gnu::used]] inline void emit_boot_entry() {
  asm volatile(
      // --- The image's entry point (first in .text): a0 = hart id, a1 = the firmware's device
      // tree, which reaches cte_board_start untouched. The outermost frame of the boot stack:
      // a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_board_entry)
      "  .cfi_undefined ra\n"
      "  bnez a0, 3f\n"  // not hart 0: park
      "  lla sp, cte_board_stack_top\n"
      "  mv s0, zero\n"  // end of the frame-pointer chain
      "  li t0, %[fs_initial]\n"
      "  csrs %[sstatus], t0\n"  // FP on before any compiled code runs
      "  lla t0, cte_board_bss_start\n"
      "  lla t1, cte_board_bss_end\n"
      "1:\n"  // clear .bss a word at a time (the linker script aligns both ends)
      "  bgeu t0, t1, 2f\n"
      "  sd zero, 0(t0)\n"
      "  addi t0, t0, %[word]\n"
      "  j 1b\n"
      "2:\n"
      "  mv a0, a1\n"
      "  call cte_board_start\n"
      // main(args): AM programs take it, C++ main() ignores it. The linker script provides an
      // empty string unless the program defines cte_board_mainargs (cte::am does).
      "  lla a0, cte_board_mainargs\n"
      "  call main\n"
      "  tail cte_board_finish\n"  // a0 = main's return value
      "3:\n"
      "  wfi\n"
      "  j 3b\n"
      CTE_ASM_FUNCTION_END(cte_board_entry) ::[fs_initial] "i"(privileged::status::fs_initial),
      [sstatus] "i"(privileged::csr::sstatus), [word] "i"(sizeof(std::uint64_t)));
}

}  // namespace cte::riscv64::virt
