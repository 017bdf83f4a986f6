#pragma once
// Boot of a cte image on QEMU virt, both modes. QEMU (-bios none, M-mode) and OpenSBI
// (S-mode) both enter the image at its first byte with a0 = hart id, a1 = the device tree
// blob (kept in cte_board_devicetree); the linker scripts put
// cte_riscv64_virt_entry there (and name it the ELF entry).
//
//   1. Harts other than 0 park (virt starts one hart unless -smp says otherwise).
//   2. sp = the boot stack (linker script), FP on (sstatus.FS: in M-mode sstatus is a view of
//      mstatus), .bss cleared.
//   3. cte_riscv64_virt_start(): the board's boot_init (trap vector, timer parked, M-mode PMP
//      and MPRV), then every .init_array constructor in order.
//   4. main(); its return value ends the QEMU run through the board's halt (exit device).
//
// Included by the board header (virt.hpp): it needs cte::TargetPlatform declared.

#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/riscv64/privileged/mode.hpp>

// Linker-script symbols (arch/riscv64/boards/virt/sections.ld).
extern "C" {
extern unsigned char cte_riscv64_virt_bss_start[], cte_riscv64_virt_bss_end[], cte_riscv64_virt_stack_top[];
extern void (*const cte_riscv64_virt_init_array_start[])();
extern void (*const cte_riscv64_virt_init_array_end[])();
}

// The device tree the firmware passed (a1 at entry, kept until step 3): portable code reads
// it through this name (e.g. the AM start's run-time mainargs, include/cte/am/board_start.hpp).
extern "C" {
[[gnu::used]] inline const void *cte_board_devicetree = nullptr;
}

// Step 3: board initialisation and static constructors, before main. a0 = hart id (0), a1 =
// the device tree, both still as at entry.
extern "C" [[gnu::used]] inline void cte_riscv64_virt_start(std::uintptr_t, const void *devicetree) {
  cte_board_devicetree = devicetree;
  cte::TargetPlatform::boot_init();
  for (auto *constructor = cte_riscv64_virt_init_array_start; constructor != cte_riscv64_virt_init_array_end;
       ++constructor)
    (*constructor)();
}

// Step 4: main returned `status`.
extern "C" [[noreturn, gnu::used]] inline void cte_riscv64_virt_finish(int status) {
  cte::TargetPlatform::halt(status);
}

namespace cte::riscv64::virt {

[[gnu::used]] inline void emit_boot_entry() {
  asm volatile(
      // --- The image's entry point (first in .text): a0 = hart id, a1 = the firmware's device
      // tree; both reach cte_riscv64_virt_start untouched. The outermost frame of the boot
      // stack: a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_virt_entry)
      "  .cfi_undefined ra\n"
      "  bnez a0, 3f\n"  // not hart 0: park
      "  lla sp, cte_riscv64_virt_stack_top\n"
      "  mv s0, zero\n"  // end of the frame-pointer chain
      "  li t0, %[fs_initial]\n"
      "  csrs %[sstatus], t0\n"  // FP on before any compiled code runs
      "  lla t0, cte_riscv64_virt_bss_start\n"
      "  lla t1, cte_riscv64_virt_bss_end\n"
      "1:\n"  // clear .bss a word at a time (the linker script aligns both ends)
      "  bgeu t0, t1, 2f\n"
      "  sd zero, 0(t0)\n"
      "  addi t0, t0, %[word]\n"
      "  j 1b\n"
      "2:\n"
      "  call cte_riscv64_virt_start\n"
      // main(args): AM programs take it, C++ main() ignores it. The linker script provides an
      // empty string unless the program defines cte_board_mainargs (cte::am does).
      "  lla a0, cte_board_mainargs\n"
      "  call main\n"
      "  tail cte_riscv64_virt_finish\n"  // a0 = main's return value
      "3:\n"
      "  wfi\n"
      "  j 3b\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_virt_entry) ::[fs_initial] "i"(privileged::status::fs_initial),
      [sstatus] "i"(privileged::csr::sstatus), [word] "i"(sizeof(std::uint64_t)));
}

}  // namespace cte::riscv64::virt

// A call of a pure virtual function (an object used during its construction or destruction).
extern "C" [[noreturn, gnu::used]] inline void __cxa_pure_virtual() {
  static constexpr char report[] = "cte: fatal: pure virtual function called\n";
  cte::TargetPlatform::report_write(report, sizeof report - 1);
  cte::TargetPlatform::terminate_failure();
}
