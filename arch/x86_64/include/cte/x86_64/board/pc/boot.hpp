#pragma once
// Boot of a cte image on the pc (QEMU q35, -kernel: Multiboot 1). QEMU loads the image by
// the Multiboot header's address fields (flag bit 16: the image is an ELF64, which QEMU's
// Multiboot loader would refuse as such; pc.ld keeps it one contiguous block) and enters
// cte_x86_64_pc_entry32 in 32-bit protected mode, paging off, EAX = the Multiboot magic,
// EBX = the Multiboot information.
//
//   1. 32-bit: identity page tables for the first 4 GiB (2 MiB pages), PAE, EFER.LME,
//      paging on, the 64-bit GDT, a far jump into long mode.
//   2. 64-bit: data segments, the boot stack, x87/SSE on (CR0, CR4) before any compiled
//      code runs.
//   3. cte_board_start(the Multiboot command line as a device tree, multiboot_devicetree.hpp)
//      (cte/board/start.hpp, every board's): the board's
//      boot_init (XSAVE and AVX, IDT and TSS, the 8259s, LAPIC, IOAPIC, COM1, the page pool's
//      table), then every .init_array constructor.
//   4. main(cte_board_mainargs); cte_board_finish ends the QEMU run with its return value.
// .bss and the boot stack are cleared by the boot loader (Multiboot's bss_end_addr).
//
// Included by the board header (pc.hpp): it needs cte::TargetPlatform declared.

#include <cstdint>

#include <cte/board/start.hpp>
#include <cte/detail/format.hpp>
#include <cte/x86_64/board/pc/board.hpp>
#include <cte/x86_64/board/pc/multiboot_devicetree.hpp>

namespace cte::x86_64::pc {

namespace multiboot {
inline constexpr std::uint32_t magic = 0x1badb002;
inline constexpr std::uint32_t loader_magic = 0x2badb002;                   // in EAX at entry
inline constexpr std::uint32_t flags = (1u << 0) | (1u << 1) | (1u << 16);  // aligned modules, memory info, addresses
}  // namespace multiboot

namespace boot {
inline constexpr std::uint32_t cr4_pae = 1u << 5;
inline constexpr std::uint32_t efer_msr = 0xc0000080;
inline constexpr std::uint32_t efer_long_mode = 1u << 8;
inline constexpr std::uint32_t cr0_protection = 1u << 0;
inline constexpr std::uint32_t cr0_write_protect = 1u << 16;
inline constexpr std::uint32_t cr0_paging = 1u << 31;
inline constexpr std::uint32_t table_flags = paging::present | paging::writable;
inline constexpr std::uint32_t large_page_flags = paging::present | paging::writable | paging::large;
inline constexpr std::uint64_t cr0_fpu_set = bits::cr0_monitor_coprocessor | bits::cr0_numeric_error;
inline constexpr std::uint64_t cr0_fpu_clear = bits::cr0_emulation | bits::cr0_task_switched;
inline constexpr std::uint64_t cr4_sse = bits::cr4_osfxsr | bits::cr4_osxmmexcpt;
}  // namespace boot

[[gnu::used]] inline void emit_boot_entry() {
  asm volatile(
      // --- The Multiboot 1 header, first in the image (arch/boards/sections.ld puts
      // .text.cte_board_entry first), with the a.out-kludge addresses. One COMDAT group with
      // the entry code (every translation unit emits it; the linker keeps one).
      ".pushsection .text.cte_board_entry, \"axG\", @progbits, cte_board_entry, comdat\n"
      ".balign 4\n"
      "cte_x86_64_pc_multiboot_header:\n"
      "  .long %c[mb_magic], %c[mb_flags], -(%c[mb_magic] + %c[mb_flags])\n"
      "  .long cte_x86_64_pc_multiboot_header\n"  // header_addr
      "  .long cte_x86_64_pc_multiboot_header\n"  // load_addr: the image starts with the header
      "  .long cte_x86_64_pc_load_end\n"          // load_end_addr (pc.ld)
      "  .long cte_board_stack_top\n"             // bss_end_addr: QEMU clears up to here
      "  .long cte_board_entry\n"                 // entry_addr
      // The GDT pointer, for lgdt in either mode.
      ".balign 8\n"
      "cte_x86_64_pc_gdt_pointer:\n"
      "  .word %c[gdt_size] - 1\n"
      "  .quad cte_x86_64_pc_gdt\n"
      // --- Step 1, 32-bit protected mode.
      ".code32\n"
      ".globl cte_board_entry\n"
      ".hidden cte_board_entry\n"
      ".type cte_board_entry, @function\n"
      "cte_board_entry:\n"
      "  cli\n"
      "  mov %%ebx, %%esi\n"  // the Multiboot information (kept through step 2)
      // PML4[0] -> PDPT; PDPT[0..3] -> the four directories; every directory entry a 2 MiB page.
      "  mov $cte_x86_64_pc_pdpt + %c[table_flags], %%eax\n"
      "  mov %%eax, cte_x86_64_pc_pml4\n"
      "  xor %%ecx, %%ecx\n"
      "1:\n"
      "  mov %%ecx, %%eax\n"
      "  shl $12, %%eax\n"
      "  add $cte_x86_64_pc_directories + %c[table_flags], %%eax\n"
      "  mov %%eax, cte_x86_64_pc_pdpt(, %%ecx, 8)\n"
      "  inc %%ecx\n"
      "  cmp $%c[gib], %%ecx\n"
      "  jne 1b\n"
      "  xor %%ecx, %%ecx\n"
      "2:\n"
      "  mov %%ecx, %%eax\n"
      "  shl $21, %%eax\n"
      "  or $%c[large_flags], %%eax\n"
      "  mov %%eax, cte_x86_64_pc_directories(, %%ecx, 8)\n"
      "  inc %%ecx\n"
      "  cmp $(%c[gib] * 512), %%ecx\n"
      "  jne 2b\n"
      "  mov %%cr4, %%eax\n"
      "  or $%c[cr4_pae], %%eax\n"
      "  mov %%eax, %%cr4\n"
      "  mov $cte_x86_64_pc_pml4, %%eax\n"
      "  mov %%eax, %%cr3\n"
      "  mov $%c[efer], %%ecx\n"
      "  rdmsr\n"
      "  or $%c[lme], %%eax\n"
      "  wrmsr\n"
      "  mov %%cr0, %%eax\n"
      "  or $%c[cr0_on], %%eax\n"
      "  mov %%eax, %%cr0\n"
      "  lgdt cte_x86_64_pc_gdt_pointer\n"
      "  ljmp $%c[code_selector], $cte_x86_64_pc_entry64\n"
      // --- Step 2, long mode.
      ".code64\n"
      "cte_x86_64_pc_entry64:\n"
      "  mov $%c[data_selector], %%eax\n"
      "  mov %%eax, %%ds\n"
      "  mov %%eax, %%es\n"
      "  mov %%eax, %%ss\n"
      "  xor %%eax, %%eax\n"
      "  mov %%eax, %%fs\n"
      "  mov %%eax, %%gs\n"
      "  lea cte_board_stack_top(%%rip), %%rsp\n"
      "  xor %%ebp, %%ebp\n"
      "  mov %%cr0, %%rax\n"
      "  and $~%c[cr0_fpu_clear], %%rax\n"
      "  or $%c[cr0_fpu_set], %%rax\n"
      "  mov %%rax, %%cr0\n"
      "  mov %%cr4, %%rax\n"
      "  or $%c[cr4_sse], %%rax\n"
      "  mov %%rax, %%cr4\n"
      "  fninit\n"
      // Step 3, then main(args): AM programs take it, C++ main() ignores it.
      "  mov %%esi, %%edi\n"
      "  call cte_x86_64_pc_devicetree\n"  // the command line as a device tree
      "  mov %%rax, %%rdi\n"
      "  call cte_board_start\n"
      "  lea cte_board_mainargs(%%rip), %%rdi\n"
      "  call main\n"
      "  mov %%eax, %%edi\n"
      "  call cte_board_finish\n"
      "  ud2\n"
      ".popsection\n" ::[mb_magic] "i"(multiboot::magic),
      [mb_flags] "i"(multiboot::flags), [gdt_size] "i"(sizeof cte_x86_64_pc_gdt), [table_flags] "i"(boot::table_flags),
      [large_flags] "i"(boot::large_page_flags), [gib] "i"(paging::identity_mapped_gib), [cr4_pae] "i"(boot::cr4_pae),
      [efer] "i"(boot::efer_msr), [lme] "i"(boot::efer_long_mode),
      [cr0_on] "i"(boot::cr0_protection | boot::cr0_write_protect | boot::cr0_paging),
      [code_selector] "i"(selector::code), [data_selector] "i"(selector::data),
      [cr0_fpu_clear] "i"(boot::cr0_fpu_clear), [cr0_fpu_set] "i"(boot::cr0_fpu_set), [cr4_sse] "i"(boot::cr4_sse));
}

// A fatal report before the runtime can give one (the board cannot run cte).
[[noreturn]] inline void boot_failure(const char *why) {
  cte::detail::TextBuffer report;
  report.text("cte: fatal: x86_64-pc boot: ").text(why).text("\n");
  Com1::write(report.data(), report.size());
  DebugExit::exit(Board::fatal_exit_status);
}

// FPU, SSE and, where the CPU has it, AVX, all saved by XSAVE (extended_frame.hpp).
inline void enable_extended_state() {
  const CpuidResult features = cpuid(1);
  if (!(features.ecx & bits::cpuid1_ecx_xsave)) boot_failure("the CPU has no XSAVE (run QEMU with -cpu max)");
  write_cr4(read_cr4() | bits::cr4_osxsave);
  const std::uint64_t components = xsave::x87 | xsave::sse | ((features.ecx & bits::cpuid1_ecx_avx) ? xsave::avx : 0);
  write_xcr0(components);
  constexpr std::uint32_t xsave_leaf = 0xd;
  if (cpuid(xsave_leaf).ebx > xsave::area_size) boot_failure("the enabled XSAVE state exceeds the frame's area");
}

inline void Board::boot_init() {
  Com1::init();
  enable_extended_state();
  write_cr0(read_cr0() | bits::cr0_alignment_mask);
  load_descriptor_tables(reinterpret_cast<std::uintptr_t>(&cte_x86_64_pc_vector_stubs), stub_spacing);
  Legacy8259::remap_and_mask();
  LocalApic::enable();
  boot_tsc = read_tsc();
  calibration = Pit::calibrate();
  if (calibration.apic_ticks_per_ms == 0 || calibration.tsc_per_ms == 0) boot_failure("timer calibration failed");
  IoApic::mask_all();
  Com1::set_transmit_interrupt(false);
  IoApic::route(Com1::isa_irq, LocalApic::own_id(), true);
  paging::split_for_pool(reinterpret_cast<std::uintptr_t>(Pages::area().start));
}

}  // namespace cte::x86_64::pc

// #DF: what the CPU pushed, reported (trap_entry.hpp).
extern "C" [[noreturn, gnu::used]] inline void cte_x86_64_pc_report_double_fault(
    const cte::x86_64::pc::HardwareFrame *frame) {
  cte::detail::TextBuffer report;
  report.text("cte: fatal: double fault (#DF): a fault while the CPU delivered another\n");
  report.text("  rip=").hex(frame->rip).text(" rsp=").hex(frame->rsp).text(" platform=x86_64-pc\n");
  cte::TargetPlatform::report_write(report.data(), report.size());
  cte::TargetPlatform::terminate_failure();
}
