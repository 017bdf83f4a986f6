#pragma once
// The stub names are built inside macro arguments (cte_riscv64_priv%[level]_...), which
// clang-format would split into tokens: this file keeps its own layout.
// clang-format off
// riscv64 bare-metal trap entry: ONE implementation, a template over the privilege mode the
// kernel runs in (M: mtvec/mret, S: stvec/sret). Every hardware trap — exception, interrupt,
// an ecall executed directly (M-mode) — enters the same vector, which saves the complete Frame
// on the interrupted stack, calls the dispatcher, and resumes the frame the handler chose with
// xRET: every GPR, every FP register, fcsr, pc and status come back exactly (xRET jumps
// through xepc, so no register is lost). cte's own voluntary traps (yield, syscall, thread
// exit) are calls that save a voluntary frame instead (voluntary_entry.hpp). Which of the two
// restores a frame needs is decided once, where a stub has the frame to resume:
// restore_voluntary (what a call keeps) or restore_asynchronous (everything).
//
// Stacks while a trap is handled (addresses grow upwards):
//
//   interrupted stack                              the handler's view
//   +-----------------------------+ <- S           sp of the thread = CFA of the stubs
//   | Frame                       |                (read from x[2]: the frame may lie lower)
//   |   fcsr, f[0..31]            |                voluntary: fs0-fs11 only
//   |   library (state, stack)    |                state: asynchronous, stack_overflow bits
//   |   irq_id(_valid), status    |                status as the hart records it (xPIE, xPP)
//   |   cause, tval, pc           |                pc = xepc (voluntary: the return address)
//   |   x[31..1]  (x[2] = S)      |                voluntary: ra, a0-a7 and, once switched
//   +-----------------------------+ <- frame       away from, gp, tp, s0-s11
//   | dispatcher, handler frames  |    = Isa::frame_below(S), or below the frame limit:
//   v                             v      TrapScratch::overflow_frame (emergency stack below it)
//
// Frame placement: directly below the interrupted sp (the psABI has no red zone), unless that
// would put it below the running kcontext thread's frame limit (its stack_start plus the
// board's stack reserve) by at most overflow_window bytes. Then the thread has run off its
// stack and the frame goes to TrapScratch::overflow_frame instead (the dispatcher then runs on
// TrapScratch::emergency_stack); the dispatch function marks it frame_state::stack_overflow.
// A frame far below the limit belongs to another stack (a fast-switch thread, the boot stack)
// and is saved there as usual.
//
// FP policy: mstatus/sstatus.FS is never Off on a cte board (boot turns it on), and every trap
// saves and restores all 32 f registers and fcsr: an interrupt can preempt FP code anywhere,
// and saving always is simpler than tracking FS = Dirty per thread.
//
// Symbol names carry the privilege level (3: M, 1: S: the mstatus.MPP encoding), so that the
// two instantiations can never fold into one COMDAT group.

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/frame_registers.hpp>
#include <cte/riscv64/privileged/frame_cfi.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_scratch.hpp>
#include <cte/riscv64/privileged/voluntary_entry.hpp>

#if !defined(__riscv_float_abi_double)
#error "the cte riscv64 port needs the lp64d ABI (RV64GC): frames carry the D registers and fcsr"
#endif

// The vector calls cte_riscv64_privileged_trap_dispatch(frame), which returns the frame to
// resume (defined in privileged/dispatch.hpp, next to the portable dispatcher it calls).

extern "C" {
// Per privilege level (3: machine, 1: supervisor), defined in assembly below. The voluntary-trap
// stubs (yield, syscall, thread exit) are in voluntary_entry.hpp.
void cte_riscv64_priv3_trap_vector();
void cte_riscv64_priv1_trap_vector();
// The two restores: a frame with frame_state::asynchronous clear / set.
[[noreturn]] void cte_riscv64_priv3_restore_voluntary(cte::riscv64::Frame *frame);
[[noreturn]] void cte_riscv64_priv1_restore_voluntary(cte::riscv64::Frame *frame);
[[noreturn]] void cte_riscv64_priv3_restore_asynchronous(cte::riscv64::Frame *frame);
[[noreturn]] void cte_riscv64_priv1_restore_asynchronous(cte::riscv64::Frame *frame);
}

namespace cte::riscv64::privileged {

// xtvec in direct mode holds a 4-byte-aligned base (its low two bits are the mode).
inline constexpr unsigned vector_alignment = 4;

// The stubs of one privilege mode, as C++ sees them.
template <Privilege P>
struct Stubs;
template <>
struct Stubs<Privilege::machine> {
  static constexpr auto vector = &cte_riscv64_priv3_trap_vector;
  static constexpr auto yield = &cte_riscv64_priv3_yield;
  static constexpr auto syscall = &cte_riscv64_priv3_syscall;
  static constexpr auto thread_exit = &cte_riscv64_priv3_thread_exit;
};
template <>
struct Stubs<Privilege::supervisor> {
  static constexpr auto vector = &cte_riscv64_priv1_trap_vector;
  static constexpr auto yield = &cte_riscv64_priv1_yield;
  static constexpr auto syscall = &cte_riscv64_priv1_syscall;
  static constexpr auto thread_exit = &cte_riscv64_priv1_thread_exit;
};

// A restore (frame = a0) that loads the FP registers `fprs` and the GPRs `gprs` (.irp lists):
// sp = the frame; pc to xepc, status to xstatus (its xIE is 0, xPIE the thread's interrupt
// state, xPP this mode), fcsr, the registers, sp last; then xRET: pc = xepc, xIE = xPIE,
// privilege = xPP. A backtrace taken in a restore ends there: the code is becoming another
// thread. Operands: CTE_RISCV64_PRIV_RESTORE_OPERANDS.
#define CTE_RISCV64_PRIV_RESTORE_FUNCTION(kind, fprs, gprs)                     \
  CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_restore_##kind)               \
  "  .cfi_undefined ra\n"                                                       \
  "  mv sp, a0\n"                                                               \
  "  ld t0, %[pc](sp)\n"                                                        \
  "  csrw %[epc_csr], t0\n"                                                     \
  "  ld t0, %[status](sp)\n"                                                    \
  "  csrw %[status_csr], t0\n"                                                  \
  "  ld t0, %[fcsr](sp)\n"                                                      \
  "  fscsr t0\n"                                                                \
  "  .irp n," fprs "\n"                                                         \
  "  fld f\\n, (%[f] + \\n * %[word])(sp)\n"                                    \
  "  .endr\n"                                                                   \
  "  .irp n," gprs "\n"                                                         \
  "  ld x\\n, (%[x] + \\n * %[word])(sp)\n"                                     \
  "  .endr\n"                                                                   \
  "  ld sp, %[sp_slot](sp)\n"                                                   \
  "  .if %[level] == %[machine_level]\n"                                        \
  "  mret\n"                                                                    \
  "  .else\n"                                                                   \
  "  sret\n"                                                                    \
  "  .endif\n"                                                                  \
  CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_restore_##kind)
#define CTE_RISCV64_PRIV_RESTORE_OPERANDS                                                                      \
  [level] "i"(static_cast<unsigned>(P)), [machine_level] "i"(static_cast<unsigned>(Privilege::machine)),       \
      [epc_csr] "i"(M::epc_csr), [status_csr] "i"(M::status_csr), [x] "i"(offsetof(Frame, x)),                \
      [f] "i"(offsetof(Frame, f)), [word] "i"(sizeof(std::uint64_t)), [sp_slot] "i"(gpr_offset(reg::sp)),      \
      [pc] "i"(offsetof(Frame, pc)), [status] "i"(offsetof(Frame, status)), [fcsr] "i"(offsetof(Frame, fcsr))

static_assert(frame_state::asynchronous < 2048, "andi takes a 12-bit immediate");

// Emits the vector and the restores of mode P. Never called: instantiating it (the board's
// boot_init installs the vector) makes every translation unit emit the COMDAT groups inside,
// and the linker keeps one copy of each.
template <Privilege P>
[[gnu::used]] inline void emit_trap_entry() {
  using M = Mode<P>;
  static_assert(vector_alignment <= 16, "CTE_ASM_FUNCTION_BEGIN aligns functions to 16 bytes");
  asm volatile(
      // --- The trap vector (xtvec, direct mode: 4-byte aligned). Every trap lands here with
      // the interrupted thread's registers live, interrupts disabled by the hart (xIE -> xPIE).
      // Call-frame information: a signal frame (the interrupted pc is the resume address, not
      // a return address) whose pc is described in its own column; until the frame is
      // complete, a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_trap_vector)
      "  .cfi_signal_frame\n"
      "  .cfi_return_column %[pc_column]\n"
      "  .cfi_undefined %[pc_column]\n"
      // Swap t0 with the scratch CSR: t0 = &trap_scratch, the CSR holds the interrupted t0.
      "  csrrw t0, %[scratch_csr], t0\n"
      "  sd t1, %[spill_t1](t0)\n"
      "  sd t2, %[spill_t2](t0)\n"
      // t1 = the frame's place: below the interrupted sp, 16-byte aligned.
      "  addi t1, sp, -%[frame_size]\n"
      "  andi t1, t1, -%[alignment]\n"
      // Overflow iff 0 < limit - t1 <= window, i.e. (limit - t1 - 1) >> window_shift == 0
      // (unsigned; a limit of 0 makes it huge: no limit).
      "  ld t2, %[frame_limit](t0)\n"
      "  sub t2, t2, t1\n"
      "  addi t2, t2, -1\n"
      "  srli t2, t2, %[window_shift]\n"
      "  bnez t2, 1f\n"
      "  li t2, %[overflow_frame]\n"  // ran off its stack: use the reserved frame
      "  add t1, t0, t2\n"
      "1:\n"
      "  sd sp, %[sp_slot](t1)\n"  // the interrupted sp
      "  mv sp, t1\n"              // sp = frame from here on: nothing below it is live
      "  .irp n," CTE_RISCV64_FRAME_GPRS_BUT_T0_T2 "\n"
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      // Now t1/t2 are free: store the interrupted t1, t2 and (via the CSR) t0, and put the
      // scratch pointer back in the CSR, so that a nested trap finds it.
      "  ld t1, %[spill_t1](t0)\n"
      "  sd t1, %[t1_slot](sp)\n"
      "  ld t1, %[spill_t2](t0)\n"
      "  sd t1, %[t2_slot](sp)\n"
      "  csrrw t1, %[scratch_csr], t0\n"
      "  sd t1, %[t0_slot](sp)\n"
      // The trap CSRs.
      "  csrr t0, %[epc_csr]\n"
      "  sd t0, %[pc](sp)\n"
      "  csrr t0, %[cause_csr]\n"
      "  sd t0, %[cause](sp)\n"
      "  csrr t0, %[tval_csr]\n"
      "  sd t0, %[tval](sp)\n"
      "  csrr t0, %[status_csr]\n"
      "  sd t0, %[status](sp)\n"
      // Every FP register (raw bits) and fcsr.
      "  .irp n," CTE_RISCV64_FRAME_FPRS "\n"
      "  fsd f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  frcsr t0\n"
      "  sd t0, %[fcsr](sp)\n"
      // The frame is complete: the interrupted code's registers are all in it.
      CTE_RISCV64_CFI_CFA_FROM_FRAME
      CTE_RISCV64_CFI_SAVED_AT_SP("%[pc_column]", "%[pc]")
      "  .irp n," CTE_RISCV64_FRAME_GPRS "\n"
      CTE_RISCV64_CFI_SAVED_AT_SP("\\n", "%[x] + \\n * %[word]")
      "  .endr\n"
      "  .irp n," CTE_RISCV64_FRAME_FPRS "\n"
      CTE_RISCV64_CFI_SAVED_AT_SP(CTE_RISCV64_DWARF_FPR_BASE " + \\n", "%[f] + \\n * %[word]")
      "  .endr\n"
      // Saved at an arbitrary instruction: every register is live.
      "  li t0, %[asynchronous]\n"
      "  sd t0, %[library_state](sp)\n"
      // Dispatch on this stack; resume the frame it returns.
      "  mv a0, sp\n"
      "  call cte_riscv64_privileged_trap_dispatch\n"
      CTE_RISCV64_PRIV_TAIL_TO_RESTORE
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_trap_vector)
      ::[level] "i"(static_cast<unsigned>(P)), [pc_column] "i"(dwarf_resume_pc_column),
      [scratch_csr] "i"(M::scratch_csr), [epc_csr] "i"(M::epc_csr), [cause_csr] "i"(M::cause_csr),
      [tval_csr] "i"(M::tval_csr), [status_csr] "i"(M::status_csr), [spill_t1] "i"(offsetof(TrapScratch, spill_t1)),
      [spill_t2] "i"(offsetof(TrapScratch, spill_t2)), [frame_limit] "i"(offsetof(TrapScratch, frame_limit)),
      [overflow_frame] "i"(offsetof(TrapScratch, overflow_frame)), [window_shift] "i"(overflow_window_shift),
      [frame_size] "i"(sizeof(Frame)), [alignment] "i"(alignof(Frame)), [x] "i"(offsetof(Frame, x)),
      [f] "i"(offsetof(Frame, f)), [word] "i"(sizeof(std::uint64_t)), [sp_slot] "i"(gpr_offset(reg::sp)),
      [t0_slot] "i"(gpr_offset(reg::t0)), [t1_slot] "i"(gpr_offset(reg::t1)), [t2_slot] "i"(gpr_offset(reg::t2)),
      [pc] "i"(offsetof(Frame, pc)), [cause] "i"(offsetof(Frame, cause)), [tval] "i"(offsetof(Frame, tval)),
      [status] "i"(offsetof(Frame, status)), [fcsr] "i"(offsetof(Frame, fcsr)),
      [library_state] "i"(offsetof(Frame, library.state)), [asynchronous] "i"(frame_state::asynchronous));

  // --- restore_voluntary: a voluntary frame (a stub's: a call), on whatever stack it lives:
  // what a call keeps (fs0-fs11, fcsr, ra, sp, gp, tp, s0-s11) and a0, the return value; the
  // caller-saved rest is dead at a call.
  asm volatile(CTE_RISCV64_PRIV_RESTORE_FUNCTION(
                   voluntary, CTE_RISCV64_KEPT_FPRS,
                   CTE_RISCV64_GPRS_RA "," CTE_RISCV64_GPRS_A0 "," CTE_RISCV64_KEPT_GPRS)::CTE_RISCV64_PRIV_RESTORE_OPERANDS);
  // --- restore_asynchronous: a frame saved at an arbitrary instruction (the vector's,
  // kcontext's): every FP register, fcsr, every GPR.
  asm volatile(CTE_RISCV64_PRIV_RESTORE_FUNCTION(asynchronous, CTE_RISCV64_FRAME_FPRS,
                                                 CTE_RISCV64_FRAME_GPRS)::CTE_RISCV64_PRIV_RESTORE_OPERANDS);
}

// Installs mode P's vector in xtvec (direct mode) and points the scratch CSR at trap_scratch.
template <Privilege P>
inline void install_trap_vector() {
  static_cast<void>(&emit_trap_entry<P>);  // instantiates the emitters: the stubs exist
  static_cast<void>(&emit_voluntary_entry<P>);
  csr_write<Mode<P>::scratch_csr>(reinterpret_cast<std::uintptr_t>(&trap_scratch));
  csr_write<Mode<P>::tvec_csr>(reinterpret_cast<std::uintptr_t>(Stubs<P>::vector));
}

}  // namespace cte::riscv64::privileged
// clang-format on
