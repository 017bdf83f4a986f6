#pragma once
// aarch64 trap entry for voluntary traps (yield, syscall, kcontext thread exit, a held-back
// interrupt) and the one restore path every resumed Context goes through. Each stub sits in
// its own COMDAT group so that any number of translation units may include this header.
//
// Hosted, the stubs are plain function calls (an svc would be a Linux system call). Each
// records what a bare-metal `svc #0` would have left: ESR = EC 0x15 with IL set, x8 = the svc
// number (-1 yield, -2 thread exit, else the syscall number), pc = the return address (ELR is
// already past an svc too), trap kind synchronous.
//
// Frame placement: a thread whose stack pointer is S is described by a frame at exactly
// S - frame_gap (AAPCS64 has no red zone, so that memory is free at a call).
//
// Restore handles voluntary frames itself. A frame that needs every register back exactly
// (frame_state::asynchronous: saved by a signal at an arbitrary instruction) goes to
// cte_aarch64_restore_asynchronous, the one place that differs between platforms: hosted, it
// resumes the frame through the kernel's sigreturn (cte_hosted_resume_asynchronous); on bare
// metal an eret from the frame will do it.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/detail/runtime.hpp>

#if !defined(CTE_BOARD_HEADER)
#include <signal.h>

#include <cte/platform/hosted_external.hpp>
#endif

extern "C" {
void cte_aarch64_yield_trap();
std::uint64_t cte_aarch64_syscall_trap(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                       std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
void cte_aarch64_thread_exit_trap();
void cte_aarch64_interrupt_trap(std::uint64_t trap_kind, std::uint64_t interrupt_id);
[[noreturn]] void cte_aarch64_restore(cte::aarch64::Frame *frame);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_trap_dispatch(cte::aarch64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}

#if !defined(CTE_BOARD_HEADER)
// Defined by the hosted trap layer (include/cte/platform/hosted_traps.hpp): resumes a frame
// with every register exact, through a signal to the calling thread and its sigreturn.
[[noreturn]] void cte_hosted_resume_asynchronous(cte::aarch64::Frame *frame);
#endif

// Reached by restore for a frame that must come back with every register exact: one marked
// asynchronous, which a user-mode jump cannot give back (one register must hold the target),
// or, hosted, a voluntary frame whose resume would read it below the new SP (see restore).
// SP = the frame, so this runs on the resumed thread's own stack, below its frame.
//
// This is the only platform-specific step of restore. Bare metal: replace the fatal report
// with an eret from the frame (ELR_EL1 = pc, SPSR_EL1 = pstate), which restores everything.
[[noreturn, gnu::used]] inline void cte_aarch64_restore_asynchronous(cte::aarch64::Frame *frame) {
#if defined(CTE_BOARD_HEADER)
  cte::detail::fatal("exact resume of an asynchronous aarch64 frame is not implemented on bare metal yet", nullptr,
                     cte::Context::from_frame(frame));
#else
  // Hosted: interrupts are still held (the enable word is clear until the resume's last act).
  cte_hosted_resume_asynchronous(frame);
#endif
}

// Reached by restore for a frame marked stack_overflow (the Context of a thread that ran off
// its stack; it lives in a reserved frame): such a thread can never run again. Runs on the
// stack of the trap that chose it, not below the reserved frame.
[[noreturn, gnu::used]] inline void cte_aarch64_restore_overflowed(cte::aarch64::Frame *frame) {
  cte::detail::fatal("restore of a thread whose stack overflowed (it cannot run again)", nullptr,
                     cte::Context::from_frame(frame));
}
}

namespace cte::aarch64 {

// Bit numbers of frame_state::asynchronous and stack_overflow, for tbnz.
inline constexpr unsigned asynchronous_bit = std::countr_zero(frame_state::asynchronous);
static_assert(frame_state::asynchronous == std::uint64_t{1} << asynchronous_bit);
inline constexpr unsigned stack_overflow_bit = std::countr_zero(frame_state::stack_overflow);
static_assert(frame_state::stack_overflow == std::uint64_t{1} << stack_overflow_bit);

// Hosted, restore's general path (frame not at SP - frame_gap) must not read the frame after
// SP has moved above it: a signal taken there would build its frame on top of it. Such frames
// go through the exact resume instead. Bare metal restores with interrupts masked.
#if defined(CTE_BOARD_HEADER)
#define CTE_AARCH64_HOSTED_FRAME_BELOW_SP_CHECK ""
#else
#define CTE_AARCH64_HOSTED_FRAME_BELOW_SP_CHECK \
  "  mov x10, sp\n"                              \
  "  cmp x10, x9\n"                              \
  "  b.lo 3f\n"  /* frame below the new SP: exact resume */
#endif
// The last act of a voluntary resume (x16 = the frame's library.state, x17 = the resume
// address, everything else the thread's): set the hosted interrupt-enable word if the frame
// runs with interrupts enabled (any nonzero value: the page address at hand), then jump. The
// word is clear until here (platform/hosted.hpp). x16 and x17 (IP0/IP1) are dead at a call.
static_assert(frame_state::interrupts_enabled == 1, "tbz tests bit 0");
#define CTE_AARCH64_SET_ENABLE_WORD_AND_RETURN                        \
  "  tbz x16, #0, 9f\n"                                               \
  "  adrp x16, cte_hosted_interrupts_enabled\n"                       \
  "  str x16, [x16, :lo12:cte_hosted_interrupts_enabled]\n"           \
  "9:\n"                                                              \
  "  ret x17\n"
// The ESR value a bare-metal `svc #0` produces.
inline constexpr std::uint64_t svc_esr = esr::make(exception_class::svc64);

// Operands shared by the stubs: offsets of the frame fields (each asm statement takes <= 30).
// GPRs go in stp/ldp pairs, so only the first register of each pair has an operand.
#define CTE_AARCH64_GPR_PAIR_OPERANDS                                                                              \
  [x0] "i"(offsetof(Frame, x[0])), [x2] "i"(offsetof(Frame, x[2])), [x4] "i"(offsetof(Frame, x[4])),             \
      [x6] "i"(offsetof(Frame, x[6])), [x8] "i"(offsetof(Frame, x[8])), [x10] "i"(offsetof(Frame, x[10])),       \
      [x12] "i"(offsetof(Frame, x[12])), [x14] "i"(offsetof(Frame, x[14])), [x16] "i"(offsetof(Frame, x[16])),   \
      [x18] "i"(offsetof(Frame, x[18])), [x20] "i"(offsetof(Frame, x[20])), [x22] "i"(offsetof(Frame, x[22])),   \
      [x24] "i"(offsetof(Frame, x[24])), [x26] "i"(offsetof(Frame, x[26])), [x28] "i"(offsetof(Frame, x[28])),   \
      [x30] "i"(offsetof(Frame, x[30]))
#define CTE_AARCH64_CALLEE_SAVED_FP_OPERANDS                                                                       \
  [q8] "i"(offsetof(Frame, q[8])), [q10] "i"(offsetof(Frame, q[10])), [q12] "i"(offsetof(Frame, q[12])),         \
      [q14] "i"(offsetof(Frame, q[14])), [fpcr] "i"(offsetof(Frame, fpcr))

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups inside make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_aarch64_yield_trap(): x8 = -1, then the common save.
      ".pushsection .text.cte_aarch64_yield_trap,\"axG\",@progbits,cte_aarch64_yield_trap,comdat\n"
      ".globl cte_aarch64_yield_trap\n.hidden cte_aarch64_yield_trap\n.type cte_aarch64_yield_trap,@function\n"
      ".p2align 2\n"
      "cte_aarch64_yield_trap:\n"
      "  mov x8, #%c[yield_number]\n"
      "  mov x9, #%c[svc_esr]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      ".size cte_aarch64_yield_trap, .-cte_aarch64_yield_trap\n"
      ".popsection\n"
      // --- cte_aarch64_syscall_trap(a0..a5, number): arguments already in x0-x5 as an svc
      // expects them; the number arrives in x6 and moves to x8.
      ".pushsection .text.cte_aarch64_syscall_trap,\"axG\",@progbits,cte_aarch64_syscall_trap,comdat\n"
      ".globl cte_aarch64_syscall_trap\n.hidden cte_aarch64_syscall_trap\n.type cte_aarch64_syscall_trap,@function\n"
      ".p2align 2\n"
      "cte_aarch64_syscall_trap:\n"
      "  mov x8, x6\n"
      "  mov x9, #%c[svc_esr]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      ".size cte_aarch64_syscall_trap, .-cte_aarch64_syscall_trap\n"
      ".popsection\n"
      // --- cte_aarch64_thread_exit_trap: reached by the `ret` of a kcontext entry function
      // (its x30 was set to this stub), SP = the top of the thread's stack. x8 = -2; the saved
      // pc is x30, i.e. this stub, which is never resumed (the dispatcher refuses).
      ".pushsection .text.cte_aarch64_thread_exit_trap,\"axG\",@progbits,cte_aarch64_thread_exit_trap,comdat\n"
      ".globl cte_aarch64_thread_exit_trap\n.hidden cte_aarch64_thread_exit_trap\n"
      ".type cte_aarch64_thread_exit_trap,@function\n"
      ".p2align 2\n"
      "cte_aarch64_thread_exit_trap:\n"
      "  mov x8, #%c[thread_exit_number]\n"
      "  mov x9, #%c[svc_esr]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      ".size cte_aarch64_thread_exit_trap, .-cte_aarch64_thread_exit_trap\n"
      ".popsection\n"
      // --- cte_aarch64_interrupt_trap(trap_kind, interrupt_id): C call. Delivers an interrupt
      // that was held pending while interrupts were disabled, at the point they are enabled.
      ".pushsection .text.cte_aarch64_interrupt_trap,\"axG\",@progbits,cte_aarch64_interrupt_trap,comdat\n"
      ".globl cte_aarch64_interrupt_trap\n.hidden cte_aarch64_interrupt_trap\n"
      ".type cte_aarch64_interrupt_trap,@function\n"
      ".p2align 2\n"
      "cte_aarch64_interrupt_trap:\n"
      "  mov x9, xzr\n"  // an interrupt leaves no syndrome
      "  mov x10, x0\n"
      "  mov x11, x1\n"
      "  b cte_aarch64_save_voluntary\n"
      ".size cte_aarch64_interrupt_trap, .-cte_aarch64_interrupt_trap\n"
      ".popsection\n" ::[yield_number] "i"(svc_number::yield),
      [thread_exit_number] "i"(svc_number::thread_exit), [svc_esr] "i"(svc_esr),
      [synchronous] "i"(static_cast<std::uint64_t>(TrapKind::synchronous)));
  asm volatile(
      // --- Shared tail of the stubs above. SP = S, the caller's stack pointer; x30 = the
      // resume address; x8 = svc number, x9 = ESR, x10 = trap kind, x11 = interrupt ID (x9-x11
      // are temporaries, dead at a call). Saves a voluntary frame at S - frame_gap: every GPR,
      // NZCV, FPCR/FPSR and q8-q15 (a call keeps nothing else), then runs the dispatcher on
      // the stack below the frame and resumes the frame it returns.
      ".pushsection .text.cte_aarch64_save_voluntary,\"axG\",@progbits,cte_aarch64_save_voluntary,comdat\n"
      ".globl cte_aarch64_save_voluntary\n.hidden cte_aarch64_save_voluntary\n"
      ".type cte_aarch64_save_voluntary,@function\n"
      ".p2align 2\n"
      "cte_aarch64_save_voluntary:\n"
      "  sub sp, sp, #%c[gap]\n"
      "  stp x0, x1, [sp, #%c[x0]]\n"
      "  stp x2, x3, [sp, #%c[x2]]\n"
      "  stp x4, x5, [sp, #%c[x4]]\n"
      "  stp x6, x7, [sp, #%c[x6]]\n"
      "  stp x8, x9, [sp, #%c[x8]]\n"
      "  stp x10, x11, [sp, #%c[x10]]\n"
      "  stp x12, x13, [sp, #%c[x12]]\n"
      "  stp x14, x15, [sp, #%c[x14]]\n"
      "  stp x16, x17, [sp, #%c[x16]]\n"
      "  stp x18, x19, [sp, #%c[x18]]\n"
      "  stp x20, x21, [sp, #%c[x20]]\n"
      "  stp x22, x23, [sp, #%c[x22]]\n"
      "  stp x24, x25, [sp, #%c[x24]]\n"
      "  stp x26, x27, [sp, #%c[x26]]\n"
      "  stp x28, x29, [sp, #%c[x28]]\n"
      "  add x12, sp, #%c[gap]\n"
      "  stp x30, x12, [sp, #%c[x30]]\n"  // x30, then sp = S
      "  mrs x13, nzcv\n"
      "  stp x30, x13, [sp, #%c[pc]]\n"  // pc = the return address, then pstate
      "  stp x9, xzr, [sp, #%c[esr]]\n"  // esr, then far = 0
      "  stp x10, x11, [sp, #%c[trap_kind]]\n"  // trap kind, then interrupt ID
      "  str xzr, [sp, #%c[library_state]]\n"  // asynchronous clear: a call
      "  mrs x12, fpcr\n"
      "  mrs x13, fpsr\n"
      "  stp x12, x13, [sp, #%c[fpcr]]\n"  // fpcr, then fpsr
      "  stp q8, q9, [sp, #%c[q8]]\n"
      "  stp q10, q11, [sp, #%c[q10]]\n"
      "  stp q12, q13, [sp, #%c[q12]]\n"
      "  stp q14, q15, [sp, #%c[q14]]\n"
      "  mov x0, sp\n"
      "  bl cte_aarch64_trap_dispatch\n"
      "  b cte_aarch64_restore\n"
      ".size cte_aarch64_save_voluntary, .-cte_aarch64_save_voluntary\n"
      ".popsection\n"
      ".popsection\n" ::CTE_AARCH64_GPR_PAIR_OPERANDS,
      CTE_AARCH64_CALLEE_SAVED_FP_OPERANDS, [gap] "i"(frame_gap), [pc] "i"(offsetof(Frame, pc)),
      [esr] "i"(offsetof(Frame, esr)), [trap_kind] "i"(offsetof(Frame, trap_kind)),
      [library_state] "i"(offsetof(Frame, library.state)));
  asm volatile(
      // --- cte_aarch64_restore(frame = x0): resume the thread a frame describes.
      // SP first moves onto the frame, so that the frame stays above SP (out of reach of
      // anything pushed, e.g. a signal frame) while it is read. Voluntary frames get back the
      // GPRs except x17, which carries the resume address (see frame.hpp), q8-q15, FPCR, FPSR
      // and NZCV. The jump is a `ret x17`: RET is not checked by BTI, so it may land on a
      // return address as well as on a kcontext entry function. Asynchronous frames go to the
      // platform's exact resume (label 3); a stack-overflow frame is a fatal report (label 4).
      ".pushsection .text.cte_aarch64_restore,\"axG\",@progbits,cte_aarch64_restore,comdat\n"
      ".globl cte_aarch64_restore\n.hidden cte_aarch64_restore\n.type cte_aarch64_restore,@function\n"
      ".p2align 2\n"
      "cte_aarch64_restore:\n"
      "  ldr x9, [x0, #%c[library_state]]\n"
      "  tbnz x9, #%c[stack_overflow_bit], 4f\n"  // before SP moves: that frame is not on a stack
      "  mov sp, x0\n"
      "  tbnz x9, #%c[asynchronous_bit], 3f\n"
      "  ldp q8, q9, [sp, #%c[q8]]\n"
      "  ldp q10, q11, [sp, #%c[q10]]\n"
      "  ldp q12, q13, [sp, #%c[q12]]\n"
      "  ldp q14, q15, [sp, #%c[q14]]\n"
      // FP control and status: written only when they differ (an msr to FPCR is slow).
      "  ldp x9, x10, [sp, #%c[fpcr]]\n"
      "  mrs x11, fpcr\n"
      "  mrs x12, fpsr\n"
      "  cmp x9, x11\n"
      "  b.eq 1f\n"
      "  msr fpcr, x9\n"
      "1:\n"
      "  cmp x10, x12\n"
      "  b.eq 1f\n"
      "  msr fpsr, x10\n"
      "1:\n"
      // The usual case: the frame sits exactly frame_gap below the thread's SP. Then SP can
      // step from the frame to the thread's SP with an immediate after the last load.
      "  ldr x9, [sp, #%c[sp]]\n"
      "  add x10, sp, #%c[gap]\n"
      "  cmp x9, x10\n"
      "  b.ne 2f\n"
      "  ldr x9, [sp, #%c[pstate]]\n"
      "  msr nzcv, x9\n"  // no flag-setting instruction after this point
      "  ldp x0, x1, [sp, #%c[x0]]\n"
      "  ldp x2, x3, [sp, #%c[x2]]\n"
      "  ldp x4, x5, [sp, #%c[x4]]\n"
      "  ldp x6, x7, [sp, #%c[x6]]\n"
      "  ldp x8, x9, [sp, #%c[x8]]\n"
      "  ldp x10, x11, [sp, #%c[x10]]\n"
      "  ldp x12, x13, [sp, #%c[x12]]\n"
      "  ldp x14, x15, [sp, #%c[x14]]\n"
      "  ldr x16, [sp, #%c[library_state]]\n"
      "  ldp x18, x19, [sp, #%c[x18]]\n"
      "  ldp x20, x21, [sp, #%c[x20]]\n"
      "  ldp x22, x23, [sp, #%c[x22]]\n"
      "  ldp x24, x25, [sp, #%c[x24]]\n"
      "  ldp x26, x27, [sp, #%c[x26]]\n"
      "  ldp x28, x29, [sp, #%c[x28]]\n"
      "  ldr x30, [sp, #%c[x30]]\n"
      "  ldr x17, [sp, #%c[pc]]\n"
      "  add sp, sp, #%c[gap]\n"
      CTE_AARCH64_SET_ENABLE_WORD_AND_RETURN

      // Any other SP (ISA-specific code moved it): load through x0, switch SP, then read pc
      // and x0 last. If such a frame lay just below the new SP, these last two loads would
      // read memory below SP (hosted, such a frame takes the exact resume instead).
      "2:\n" CTE_AARCH64_HOSTED_FRAME_BELOW_SP_CHECK
      "  mov x0, sp\n"
      "  ldr x9, [x0, #%c[pstate]]\n"
      "  msr nzcv, x9\n"
      "  ldr x1, [x0, #%c[x1]]\n"
      "  ldp x2, x3, [x0, #%c[x2]]\n"
      "  ldp x4, x5, [x0, #%c[x4]]\n"
      "  ldp x6, x7, [x0, #%c[x6]]\n"
      "  ldp x8, x9, [x0, #%c[x8]]\n"
      "  ldp x10, x11, [x0, #%c[x10]]\n"
      "  ldp x12, x13, [x0, #%c[x12]]\n"
      "  ldp x14, x15, [x0, #%c[x14]]\n"
      "  ldr x16, [x0, #%c[library_state]]\n"
      "  ldp x18, x19, [x0, #%c[x18]]\n"
      "  ldp x20, x21, [x0, #%c[x20]]\n"
      "  ldp x22, x23, [x0, #%c[x22]]\n"
      "  ldp x24, x25, [x0, #%c[x24]]\n"
      "  ldp x26, x27, [x0, #%c[x26]]\n"
      "  ldp x28, x29, [x0, #%c[x28]]\n"
      "  ldr x30, [x0, #%c[x30]]\n"
      "  ldr x17, [x0, #%c[sp]]\n"
      "  mov sp, x17\n"
      "  ldr x17, [x0, #%c[pc]]\n"
      "  ldr x0, [x0, #%c[x0]]\n"
      CTE_AARCH64_SET_ENABLE_WORD_AND_RETURN
      // Exact resume (x0 = frame, SP = frame: it runs below the frame, on the thread's stack).
      "3:\n"
      "  mov x0, sp\n"
      "  bl cte_aarch64_restore_asynchronous\n"
      "  brk #0\n"
      // Stack-overflow frame (x0 = frame, SP unchanged).
      "4:\n"
      "  bl cte_aarch64_restore_overflowed\n"
      "  brk #0\n"
      ".size cte_aarch64_restore, .-cte_aarch64_restore\n"
      ".popsection\n" ::CTE_AARCH64_GPR_PAIR_OPERANDS,
      CTE_AARCH64_CALLEE_SAVED_FP_OPERANDS, [x1] "i"(offsetof(Frame, x[1])), [gap] "i"(frame_gap),
      [sp] "i"(offsetof(Frame, sp)), [pc] "i"(offsetof(Frame, pc)), [pstate] "i"(offsetof(Frame, pstate)),
      [library_state] "i"(offsetof(Frame, library.state)), [asynchronous_bit] "i"(asynchronous_bit),
      [stack_overflow_bit] "i"(stack_overflow_bit));
}

#undef CTE_AARCH64_GPR_PAIR_OPERANDS
#undef CTE_AARCH64_CALLEE_SAVED_FP_OPERANDS
#undef CTE_AARCH64_HOSTED_FRAME_BELOW_SP_CHECK
#undef CTE_AARCH64_SET_ENABLE_WORD_AND_RETURN

}  // namespace cte::aarch64
