#pragma once
// The trap and label names are built from the level (cte_aarch64_el%c[el]_...), which
// clang-format would split into tokens: this file keeps its own layout.
// clang-format off
// aarch64 bare-metal trap entry: ONE implementation, a template over the exception level the
// kernel runs at (EL1: VBAR_EL1 and the EL1 trap registers; EL2: VBAR_EL2 and the EL2 ones).
// Kernel threads (the boot context that runs main, kcontext threads, fast-switch threads) run
// at ELx on SP_EL0 ("ELxt"); an exception switches to SP_ELx, which always holds the exception
// stack (trap_scratch.hpp). So trap entry never depends on the thread's stack being usable:
// a thread that ran into the unmapped guard page below its stack still reaches the handler.
//
// Every trap of the thread (synchronous: svc, brk, aborts, undefined instructions; IRQ)
// enters through the "current EL with SP_EL0" entries, which save the complete Frame on the
// thread's stack, directly below its SP (Isa::frame_below), then call the dispatcher on the
// exception stack and restore the frame it returns with eret: every GPR, q0-q31, FPCR, FPSR,
// SP_EL0, ELR and SPSR come back exactly. cte's own yield, syscall and thread exit do not trap:
// they are calls that save a voluntary frame themselves (voluntary_entry.hpp) and come back
// through this file's restore when the handler switches away. An svc that kernel code executes
// itself is a synchronous exception like any other (the handler sees a system call).
//
// Stack overflow: if the frame would start below the running kcontext thread's frame limit
// (its stack_start plus the board's stack reserve) by at most 64 KiB, the thread has run off
// its stack: the frame goes to TrapScratch::overflow_frame instead and the dispatcher marks it
// frame_state::stack_overflow (the voluntary stubs apply the same rule).
// A frame far below the limit belongs to another stack (the boot stack, a fast-switch thread)
// and is saved there.
//
// A trap while the dispatcher or handler runs ("current EL with SP_ELx") saves its frame on
// the exception stack below the code that trapped: the dispatcher reports it (a trap inside
// the handler is fatal). FIQ, SError and anything from a lower exception level are not cte
// traps: a fatal report with ESR and ELR (cte_aarch64_board_unexpected_trap).
//
// Symbol names carry the level, so that the two instantiations can never fold into one COMDAT
// group.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <cte/aarch64/exception_level/frame_cfi.hpp>
#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/trap_scratch.hpp>
#include <cte/aarch64/exception_level/voluntary_entry.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/context.hpp>
#include <cte/detail/asm.hpp>

extern "C" {
void cte_aarch64_el1_vector_table();
void cte_aarch64_el2_vector_table();
// Defined in dispatch.hpp, next to the portable dispatcher.
cte::aarch64::Frame *cte_aarch64_board_trap_dispatch(cte::aarch64::Frame *frame);
[[noreturn]] void cte_aarch64_board_unexpected_trap(std::uint64_t slot, std::uint64_t esr, std::uint64_t elr);
}

namespace cte::aarch64::exception_level {

// VBAR_ELx holds a 2 KiB aligned table of 16 entries of 128 bytes.
inline constexpr unsigned vector_table_alignment_log2 = 11, vector_entry_alignment_log2 = 7;

template <ExceptionLevel L>
struct Vector;
template <>
struct Vector<ExceptionLevel::el1> {
  static constexpr auto table = &cte_aarch64_el1_vector_table;
};
template <>
struct Vector<ExceptionLevel::el2> {
  static constexpr auto table = &cte_aarch64_el2_vector_table;
};

// A frame slot: [x] = offsetof(Frame, x), [q] = offsetof(Frame, q).
#define CTE_AARCH64_EL_X_SLOT_(n) "(%c[x] + " #n " * 8)"
#define CTE_AARCH64_EL_Q_SLOT_(n) "(%c[q] + " #n " * 16)"
#define CTE_AARCH64_EL_STORE_X_(a, b) "  stp x" #a ", x" #b ", [x0, #" CTE_AARCH64_EL_X_SLOT_(a) "]\n"
#define CTE_AARCH64_EL_LOAD_X_(a, b) "  ldp x" #a ", x" #b ", [x0, #" CTE_AARCH64_EL_X_SLOT_(a) "]\n"
#define CTE_AARCH64_EL_STORE_Q_(a, b) "  stp q" #a ", q" #b ", [x0, #" CTE_AARCH64_EL_Q_SLOT_(a) "]\n"
#define CTE_AARCH64_EL_LOAD_Q_(a, b) "  ldp q" #a ", q" #b ", [x0, #" CTE_AARCH64_EL_Q_SLOT_(a) "]\n"
// x4-x29 (x0-x3 are the entry's scratch registers, x30 is stored alone).
#define CTE_AARCH64_EL_GPR_PAIRS_4_29(X) \
  X(4, 5) X(6, 7) X(8, 9) X(10, 11) X(12, 13) X(14, 15) X(16, 17) X(18, 19) X(20, 21) X(22, 23) X(24, 25) X(26, 27) X(28, 29)
// What a call keeps: x19-x29 and the return address x30, d8-d15 (as the whole q8-q15).
#define CTE_AARCH64_EL_KEPT_PAIRS(X) X(19, 20) X(21, 22) X(23, 24) X(25, 26) X(27, 28) X(29, 30)
#define CTE_AARCH64_EL_KEPT_Q_PAIRS(X) X(8, 9) X(10, 11) X(12, 13) X(14, 15)
#define CTE_AARCH64_EL_Q_PAIRS(X)                                                                                      \
  X(0, 1) X(2, 3) X(4, 5) X(6, 7) X(8, 9) X(10, 11) X(12, 13) X(14, 15) X(16, 17) X(18, 19) X(20, 21) X(22, 23)   \
  X(24, 25) X(26, 27) X(28, 29) X(30, 31)
// Both restores (frame = x0): FPCR, FPSR, ELR, SPSR from the frame; x2 = its SP, x3 = its SPSR.
#define CTE_AARCH64_EL_RESTORE_CONTROL_                     \
  "  ldp x2, x3, [x0, #%c[fpcr]]\n"                         \
  "  msr fpcr, x2\n"                                        \
  "  msr fpsr, x3\n"                                        \
  "  ldp x2, x3, [x0, #%c[pc]]\n"                           \
  "  msr " CTE_AARCH64_SYSREG_EL("elr") ", x2\n"           \
  "  msr " CTE_AARCH64_SYSREG_EL("spsr") ", x3\n"          \
  "  ldr x2, [x0, #%c[sp_slot]]\n"
// An entry that is not a cte trap: x0 = its slot number, then the fatal report.
#define CTE_AARCH64_EL_UNEXPECTED_ENTRY_(slot)                  \
  ".p2align %c[entry_alignment]\n"                              \
  "  mov x0, #" #slot "\n"                                      \
  "  b .Lcte_aarch64_el%c[el]_unexpected\n"

// Emits the vector table and its code for level L. Never called: instantiating it (through
// install_vector_table) makes every translation unit emit the COMDAT group, and the linker
// keeps one copy.
template <ExceptionLevel L>
[[gnu::used]] inline void emit_vector_table() {
  asm volatile(
      ".pushsection .text.cte_aarch64_el%c[el]_vector_table,\"axG\",@progbits,cte_aarch64_el%c[el]_vector_table,comdat\n"
      ".globl cte_aarch64_el%c[el]_vector_table\n"
      ".hidden cte_aarch64_el%c[el]_vector_table\n"
      ".type cte_aarch64_el%c[el]_vector_table,@function\n"
      ".p2align %c[table_alignment]\n"
      "cte_aarch64_el%c[el]_vector_table:\n"
      // --- 0x000, 0x080: synchronous and IRQ from the current EL with SP_EL0: a thread.
      // Two scratch registers on the exception stack (SP_ELx), x1 = the trap kind.
      "  stp x0, x1, [sp, #-16]!\n"
      "  mov x1, #%c[synchronous]\n"
      "  b .Lcte_aarch64_el%c[el]_from_thread\n"
      ".p2align %c[entry_alignment]\n"
      "  stp x0, x1, [sp, #-16]!\n"
      "  mov x1, #%c[irq]\n"
      "  b .Lcte_aarch64_el%c[el]_from_thread\n"
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(2)  // FIQ
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(3)  // SError
      // --- 0x200, 0x280: synchronous and IRQ from the current EL with SP_ELx: the dispatcher
      // or the handler trapped. The frame goes directly below, on the exception stack.
      ".p2align %c[entry_alignment]\n"
      "  sub sp, sp, #%c[frame_size]\n"
      "  stp x0, x1, [sp, #" CTE_AARCH64_EL_X_SLOT_(0) "]\n"
      "  mov x1, #%c[synchronous]\n"
      "  b .Lcte_aarch64_el%c[el]_from_handler\n"
      ".p2align %c[entry_alignment]\n"
      "  sub sp, sp, #%c[frame_size]\n"
      "  stp x0, x1, [sp, #" CTE_AARCH64_EL_X_SLOT_(0) "]\n"
      "  mov x1, #%c[irq]\n"
      "  b .Lcte_aarch64_el%c[el]_from_handler\n"
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(6)  // FIQ
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(7)  // SError
      // --- 0x400-0x780: from a lower exception level (AArch64, then AArch32): cte runs none.
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(8) CTE_AARCH64_EL_UNEXPECTED_ENTRY_(9)
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(10) CTE_AARCH64_EL_UNEXPECTED_ENTRY_(11)
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(12) CTE_AARCH64_EL_UNEXPECTED_ENTRY_(13)
      CTE_AARCH64_EL_UNEXPECTED_ENTRY_(14) CTE_AARCH64_EL_UNEXPECTED_ENTRY_(15)
      ".p2align %c[entry_alignment]\n"
      ".cfi_startproc\n"
      ".cfi_signal_frame\n"  // the thread's pc is where it resumes, not a return address
      ".cfi_return_column 32\n"  // the thread's pc (frame_cfi.hpp)
      ".cfi_undefined 32\n"  // outside the dispatcher call no caller is described
      // --- From a thread: x0 = the frame's place below SP_EL0, 16-byte aligned, unless that
      // is at most a window below the frame limit: overflow iff (limit - x0 - 1) >> shift == 0
      // (unsigned; a limit of 0 makes it huge: no limit).
      ".Lcte_aarch64_el%c[el]_from_thread:\n"
      "  stp x2, x3, [sp, #-16]!\n"
      "  mrs x0, sp_el0\n"
      "  sub x0, x0, #%c[frame_size]\n"
      "  and x0, x0, #%c[alignment_mask]\n"
      "  adrp x2, cte_aarch64_trap_scratch\n"
      "  add x2, x2, :lo12:cte_aarch64_trap_scratch\n"
      "  ldr x3, [x2, #%c[frame_limit]]\n"
      "  sub x3, x3, x0\n"
      "  sub x3, x3, #1\n"
      "  lsr x3, x3, #%c[window_shift]\n"
      "  cbnz x3, 1f\n"
      "  adrp x0, cte_aarch64_trap_scratch + %c[overflow_frame]\n"  // ran off its stack: the reserved frame
      "  add x0, x0, :lo12:cte_aarch64_trap_scratch + %c[overflow_frame]\n"
      "1:\n"
      "  str x1, [x0, #%c[trap_kind]]\n"
      CTE_AARCH64_EL_GPR_PAIRS_4_29(CTE_AARCH64_EL_STORE_X_)
      "  str x30, [x0, #" CTE_AARCH64_EL_X_SLOT_(30) "]\n"
      "  ldp x2, x3, [sp], #16\n"
      CTE_AARCH64_EL_STORE_X_(2, 3)
      "  ldp x2, x3, [sp], #16\n"  // the thread's x0, x1; SP_ELx is back at the top of the stack
      "  stp x2, x3, [x0, #" CTE_AARCH64_EL_X_SLOT_(0) "]\n"
      "  mrs x2, sp_el0\n"
      "  b .Lcte_aarch64_el%c[el]_complete\n"
      // --- From the dispatcher or handler: SP = the frame, x0 and x1 stored, x1 = trap kind.
      ".Lcte_aarch64_el%c[el]_from_handler:\n"
      "  mov x0, sp\n"
      "  str x1, [x0, #%c[trap_kind]]\n"
      CTE_AARCH64_EL_STORE_X_(2, 3)
      CTE_AARCH64_EL_GPR_PAIRS_4_29(CTE_AARCH64_EL_STORE_X_)
      "  str x30, [x0, #" CTE_AARCH64_EL_X_SLOT_(30) "]\n"
      "  add x2, sp, #%c[frame_size]\n"
      // --- Both: x0 = the frame, x2 = the interrupted SP, every GPR stored.
      ".Lcte_aarch64_el%c[el]_complete:\n"
      "  str x2, [x0, #%c[sp_slot]]\n"
      "  mrs x2, " CTE_AARCH64_SYSREG_EL("elr") "\n"
      "  mrs x3, " CTE_AARCH64_SYSREG_EL("spsr") "\n"
      "  stp x2, x3, [x0, #%c[pc]]\n"  // pc, pstate
      "  mrs x2, " CTE_AARCH64_SYSREG_EL("esr") "\n"
      "  mrs x3, " CTE_AARCH64_SYSREG_EL("far") "\n"
      "  ldr x4, [x0, #%c[trap_kind]]\n"
      "  cmp x4, #%c[synchronous]\n"
      "  csel x2, x2, xzr, eq\n"  // an interrupt leaves no syndrome
      "  csel x3, x3, xzr, eq\n"
      "  stp x2, x3, [x0, #%c[esr]]\n"    // esr, far
      "  str xzr, [x0, #%c[interrupt_id]]\n"  // the board reads it from the GIC (on_trap_entry)
      "  mrs x2, fpcr\n"
      "  mrs x3, fpsr\n"
      "  stp x2, x3, [x0, #%c[fpcr]]\n"
      CTE_AARCH64_EL_Q_PAIRS(CTE_AARCH64_EL_STORE_Q_)
      "  mov x2, #%c[asynchronous]\n"  // saved at an arbitrary instruction: every register is live
      "  str x2, [x0, #%c[library_state]]\n"
      "  mov x19, x0\n"  // the frame, for the unwind rules while the dispatcher runs
      CTE_AARCH64_CFI_THREAD_IN_X19_FRAME
      "  bl cte_aarch64_board_trap_dispatch\n"
      // --- Restore the frame x0 (wherever it lies) and eret to it: a voluntary frame what a
      // call keeps, any other every register. Also where the voluntary stubs' switch_away
      // comes (SPSel = 1, as here). (The unwind rules end after the first instruction: a
      // debugger looks the return address of the call up, as the caller's frame of a signal
      // frame.)
      ".globl cte_aarch64_el%c[el]_restore\n"
      ".hidden cte_aarch64_el%c[el]_restore\n"
      "cte_aarch64_el%c[el]_restore:\n"
      "  ldr x9, [x0, #%c[library_state]]\n"
      CTE_AARCH64_CFI_NO_THREAD
      "  tbz x9, #%c[asynchronous_bit], 4f\n"
      CTE_AARCH64_EL_Q_PAIRS(CTE_AARCH64_EL_LOAD_Q_)
      CTE_AARCH64_EL_RESTORE_CONTROL_
      "  tbnz x3, #%c[sp_select_bit], 2f\n"
      "  msr sp_el0, x2\n"  // a thread: SP_ELx stays at the top of the exception stack
      "  b 3f\n"
      "2:\n"
      "  mov sp, x2\n"  // code that ran on SP_ELx (a trap the handler resumed inside the dispatcher)
      "3:\n"
      CTE_AARCH64_EL_LOAD_X_(2, 3)
      CTE_AARCH64_EL_GPR_PAIRS_4_29(CTE_AARCH64_EL_LOAD_X_)
      "  ldr x30, [x0, #" CTE_AARCH64_EL_X_SLOT_(30) "]\n"
      "  ldr x1, [x0, #" CTE_AARCH64_EL_X_SLOT_(1) "]\n"
      "  ldr x0, [x0, #" CTE_AARCH64_EL_X_SLOT_(0) "]\n"
      "  eret\n"
      // --- Restore of a voluntary frame x0: what a call keeps and x0, the result.
      "4:\n"
      CTE_AARCH64_EL_KEPT_Q_PAIRS(CTE_AARCH64_EL_LOAD_Q_)
      CTE_AARCH64_EL_RESTORE_CONTROL_
      "  msr sp_el0, x2\n"
      CTE_AARCH64_EL_KEPT_PAIRS(CTE_AARCH64_EL_LOAD_X_)
      "  ldr x0, [x0, #" CTE_AARCH64_EL_X_SLOT_(0) "]\n"
      "  eret\n"
      // --- Not a cte trap: x0 = the slot; the report names it with ESR and ELR.
      ".Lcte_aarch64_el%c[el]_unexpected:\n"
      "  mrs x1, " CTE_AARCH64_SYSREG_EL("esr") "\n"
      "  mrs x2, " CTE_AARCH64_SYSREG_EL("elr") "\n"
      "  bl cte_aarch64_board_unexpected_trap\n"
      ".cfi_endproc\n"
      ".size cte_aarch64_el%c[el]_vector_table, .-cte_aarch64_el%c[el]_vector_table\n"
      ".popsection\n"
      ::[el] "i"(static_cast<unsigned>(L)), [table_alignment] "i"(vector_table_alignment_log2),
      [entry_alignment] "i"(vector_entry_alignment_log2), [synchronous] "i"(static_cast<unsigned>(TrapKind::synchronous)),
      [irq] "i"(static_cast<unsigned>(TrapKind::irq)), [frame_size] "i"(sizeof(Frame)),
      [alignment_mask] "i"(~(stack_alignment - 1)), [frame_limit] "i"(offsetof(TrapScratch, frame_limit)),
      [overflow_frame] "i"(offsetof(TrapScratch, overflow_frame)),
      [window_shift] "i"(overflow_window_shift), [x] "i"(offsetof(Frame, x)), [q] "i"(offsetof(Frame, q)),
      [sp_slot] "i"(offsetof(Frame, sp)), [pc] "i"(offsetof(Frame, pc)), [esr] "i"(offsetof(Frame, esr)),
      [trap_kind] "i"(offsetof(Frame, trap_kind)), [interrupt_id] "i"(offsetof(Frame, interrupt_id)),
      [fpcr] "i"(offsetof(Frame, fpcr)), [library_state] "i"(offsetof(Frame, library.state)),
      [asynchronous] "i"(frame_state::asynchronous), [sp_select_bit] "i"(std::countr_zero(pstate::sp_select)),
      [asynchronous_bit] "i"(std::countr_zero(frame_state::asynchronous)));
}

#undef CTE_AARCH64_EL_X_SLOT_
#undef CTE_AARCH64_EL_Q_SLOT_
#undef CTE_AARCH64_EL_STORE_X_
#undef CTE_AARCH64_EL_LOAD_X_
#undef CTE_AARCH64_EL_STORE_Q_
#undef CTE_AARCH64_EL_LOAD_Q_
#undef CTE_AARCH64_EL_GPR_PAIRS_4_29
#undef CTE_AARCH64_EL_Q_PAIRS
#undef CTE_AARCH64_EL_KEPT_PAIRS
#undef CTE_AARCH64_EL_KEPT_Q_PAIRS
#undef CTE_AARCH64_EL_UNEXPECTED_ENTRY_
#undef CTE_AARCH64_EL_RESTORE_CONTROL_

static_assert(sizeof(Frame) <= 4095, "sub/add immediates");
static_assert(offsetof(Frame, pstate) == offsetof(Frame, pc) + 8 && offsetof(Frame, far) == offsetof(Frame, esr) + 8 &&
              offsetof(Frame, fpsr) == offsetof(Frame, fpcr) + 8, "stp pairs");

// Points VBAR_ELx at level L's table.
template <ExceptionLevel L>
inline void install_vector_table() {
  static_cast<void>(&emit_vector_table<L>);  // instantiates the emitters: the table and the stubs exist
  static_cast<void>(&emit_voluntary_entry<L>);
  write_vbar<L>(reinterpret_cast<std::uintptr_t>(Vector<L>::table));
  asm volatile("isb" ::: "memory");
}

}  // namespace cte::aarch64::exception_level
// clang-format on
