#pragma once
// aarch64 hosted trap entry: the voluntary traps (yield, syscall, kcontext thread exit, a
// held-back interrupt) and the resume of the Context the dispatcher chooses. Hosted, the stubs
// are plain function calls (an svc would be a Linux system call). Each records what a
// bare-metal svc would have left: ESR = EC 0x15 with IL set and the svc immediate (0 for a
// system call, whose number is in x8; the voluntary_trap marker of yield or thread exit),
// pc = the return address (ELR is already past an svc too), trap kind synchronous. A board gets its own entry file (vector table, eret).
//
// Stack of a thread that trapped with stack pointer S (AAPCS64 has no red zone: nothing below
// S is live at a call):
//
//          |  the caller's frames         |
//     S -> +------------------------------+  16-byte aligned
//          |  q[0..31]                    |
//          |  fpcr fpsr                   |
//          |  library (state, stack, ...) |  Frame: frame_gap bytes, fields from the bottom up
//          |  esr far trap_kind int_id    |
//          |  sp pc pstate                |
//          |  x[0..30]                    |
//     F -> +------------------------------+  F = Isa::frame_below(S) = S - frame_gap
//          |  the dispatcher's frames     |  SP = F while it runs
//          v                              v
//
// The paths, each a straight line:
//
//   trap stub --> cte_aarch64_save_voluntary: store the frame at F, call the dispatcher, then
//                 choose how the returned frame resumes (the one branch between the paths):
//     voluntary     --> cte_aarch64_resume_voluntary: SP = the frame, load it, SP = its sp,
//                       set the enable word, ret x17
//     asynchronous  --> cte_aarch64_resume_exact: SP = the lower of Isa::frame_below(its sp)
//                       and the frame, then the kernel's sigreturn loads every register
//     stack_overflow --> cte_aarch64_restore_overflowed: fatal report
//
// A resumed frame may lie anywhere (usually at its S - frame_gap; a handler may move its SP or
// return a copy). It is read only while SP = the frame, so it is never below SP while in use:
// nothing pushed (a signal frame, a call) can overwrite it.
//
// The rule for leaving a trap (platform/hosted.hpp): the enable word stays clear until the
// resume's last act. The voluntary resume stores it after SP and every register but x16/x17
// are the thread's; the exact resume leaves it to the signal layer, right before sigreturn.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/instruction_length.hpp>
#include <cte/detail/asm.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/voluntary_trap.hpp>

extern "C" {
void cte_aarch64_yield_trap();
std::uint64_t cte_aarch64_syscall_trap(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                       std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
// The return address of a kcontext entry function: one instruction past this symbol (see the
// stub).
void cte_aarch64_thread_exit_trap();
void cte_aarch64_interrupt_trap(std::uint64_t trap_kind, std::uint64_t interrupt_id);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_trap_dispatch(cte::aarch64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}

// Defined by the hosted trap layer (include/cte/platform/hosted_traps.hpp): resumes a frame
// with every register exact, through a signal to the calling thread and its sigreturn.
[[noreturn]] void cte_hosted_resume_asynchronous(cte::aarch64::Frame *frame);

// Reached by cte_aarch64_resume_exact with SP = the lower of Isa::frame_below(the frame's sp)
// and the frame: the exact resume runs on dead stack of the resumed thread (or below the
// frame, if the handler put it lower still), never on top of the frame.
// Interrupts are still held: the enable word is clear until the signal layer's last act
// before sigreturn.
[[noreturn, gnu::used]] inline void cte_aarch64_restore_asynchronous(cte::aarch64::Frame *frame) {
  cte_hosted_resume_asynchronous(frame);
}

// Reached for a frame marked stack_overflow (the Context of a thread that ran off its stack;
// it lives in a reserved frame): such a thread can never run again. Runs on the stack of the
// trap that chose it, not below the reserved frame.
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

// The one register list of a voluntary frame, as stp/ldp pairs (first, second): the GPRs a
// voluntary resume loads back, and the callee-saved vector registers (the whole q8-q15 are
// stored, so one pair instruction covers two). The save stores these plus x16/x17 (the resume
// uses them for the state word, the new SP and the resume address: see frame.hpp) and x30
// with SP.
#define CTE_AARCH64_RESTORED_GPR_PAIRS(X) \
  X(0, 1)                                 \
  X(2, 3)                                 \
  X(4, 5) X(6, 7) X(8, 9) X(10, 11) X(12, 13) X(14, 15) X(18, 19) X(20, 21) X(22, 23) X(24, 25) X(26, 27) X(28, 29)
#define CTE_AARCH64_CALLEE_SAVED_Q_PAIRS(X) X(8, 9) X(10, 11) X(12, 13) X(14, 15)

// Slot offsets in the frame, from the operands [x] = offsetof(Frame, x), [word] = its element
// size, [q] = offsetof(Frame, q), [vector] = sizeof(VectorRegister), [gap] = frame_gap.
#define CTE_AARCH64_X_SLOT_(n) "(%c[x] + " #n " * %c[word])"
#define CTE_AARCH64_Q_SLOT_(n) "(%c[q] + " #n " * %c[vector])"
// CFA-relative slot offsets in the save, where SP = F and the CFA is the thread's S = F + gap.
#define CTE_AARCH64_X_CFI_(n) ".cfi_offset x" #n ", " CTE_AARCH64_X_SLOT_(n) " - %c[gap]\n"
#define CTE_AARCH64_D_CFI_(n) ".cfi_offset d" #n ", " CTE_AARCH64_Q_SLOT_(n) " - %c[gap]\n"

#define CTE_AARCH64_STORE_GPR_PAIR_(a, b) \
  "  stp x" #a ", x" #b ", [sp, #" CTE_AARCH64_X_SLOT_(a) "]\n" CTE_AARCH64_X_CFI_(a) CTE_AARCH64_X_CFI_(b)
#define CTE_AARCH64_LOAD_GPR_PAIR_(a, b) "  ldp x" #a ", x" #b ", [sp, #" CTE_AARCH64_X_SLOT_(a) "]\n"
#define CTE_AARCH64_STORE_Q_PAIR_(a, b) \
  "  stp q" #a ", q" #b ", [sp, #" CTE_AARCH64_Q_SLOT_(a) "]\n" CTE_AARCH64_D_CFI_(a) CTE_AARCH64_D_CFI_(b)
#define CTE_AARCH64_LOAD_Q_PAIR_(a, b) "  ldp q" #a ", q" #b ", [sp, #" CTE_AARCH64_Q_SLOT_(a) "]\n"

#define CTE_AARCH64_SLOT_OPERANDS_                                                           \
  [x] "i"(offsetof(Frame, x)), [word] "i"(sizeof(Frame::x[0])), [q] "i"(offsetof(Frame, q)), \
      [vector] "i"(sizeof(VectorRegister)), [gap] "i"(frame_gap)
static_assert(sizeof(Frame::x[0]) == 8 && sizeof(VectorRegister) == 16, "ldp/stp pairs of x and q registers");

static_assert(frame_state::interrupts_enabled == 1, "tbz tests bit 0");
// cte_aarch64_resume_exact places its stack as Isa::frame_below does, from the same constants.
static_assert(frame_address_below(0x10008) == ((0x10008 - frame_gap) & ~(stack_alignment - 1)) &&
              frame_address_below(0x10000) == ((0x10000 - frame_gap) & ~(stack_alignment - 1)));

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_aarch64_yield_trap(): ESR of `svc #yield`, then the common save. Each entry
      // stub sets x9 (ESR), x10 (trap kind) and x11 (interrupt ID), dead at a call.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_yield_trap)
      "  mov x9, #%c[svc_esr]\n"
      "  add x9, x9, #%c[yield_marker]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_yield_trap)
      // --- cte_aarch64_syscall_trap(a0..a5, number): arguments already in x0-x5 as an svc
      // expects them; the number arrives in x6 and moves to x8. ESR of `svc #0`.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_syscall_trap)
      "  mov x8, x6\n"
      "  mov x9, #%c[svc_esr]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_syscall_trap)
      // --- cte_aarch64_thread_exit_trap: reached by the `ret` of a kcontext entry function,
      // SP = the top of the thread's stack. Its x30 was set one instruction past the symbol:
      // unwinders look a return address up as pc - 1, which lands in the nop, so the rule
      // that ends every backtrace here (x30 undefined: the outermost frame) covers it. ESR of
      // `svc #thread_exit`; the saved pc is x30, which is never resumed (the dispatcher refuses).
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_thread_exit_trap)
      ".cfi_undefined x30\n"
      "  nop\n"
      "  mov x9, #%c[svc_esr]\n"
      "  add x9, x9, #%c[thread_exit_marker]\n"
      "  mov x10, #%c[synchronous]\n"
      "  mov x11, xzr\n"
      "  b cte_aarch64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_thread_exit_trap)
      // --- cte_aarch64_interrupt_trap(trap_kind, interrupt_id): C call. Delivers an interrupt
      // that was held pending while interrupts were disabled, at the point they are enabled.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_interrupt_trap)
      "  mov x9, xzr\n"  // an interrupt leaves no syndrome
      "  mov x10, x0\n"
      "  mov x11, x1\n"
      "  b cte_aarch64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_interrupt_trap)
      ::[yield_marker] "i"(voluntary_trap::yield),
      [thread_exit_marker] "i"(voluntary_trap::thread_exit), [svc_esr] "i"(svc_esr_of(voluntary_trap::syscall)),
      [synchronous] "i"(static_cast<std::uint64_t>(TrapKind::synchronous)));
  asm volatile(
      // --- Shared tail of the stubs above. SP = S, the caller's stack pointer; x30 = the
      // resume address; x8-x11 as the stubs set them. Saves a voluntary frame at F = S -
      // frame_gap: every GPR, NZCV, FPCR/FPSR and q8-q15 (a call keeps nothing else), runs the
      // dispatcher on the stack below the frame and sends the frame it returns down its path.
      // The CFI describes the trapped thread (CFA = S, registers in their slots), so a
      // backtrace from the handler walks into the caller of yield()/syscall().
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_save_voluntary)
      "  sub sp, sp, #%c[gap]\n"
      ".cfi_def_cfa_offset %c[gap]\n"
      CTE_AARCH64_RESTORED_GPR_PAIRS(CTE_AARCH64_STORE_GPR_PAIR_)
      CTE_AARCH64_STORE_GPR_PAIR_(16, 17)
      "  add x12, sp, #%c[gap]\n"
      "  stp x30, x12, [sp, #" CTE_AARCH64_X_SLOT_(30) "]\n"  // x30, then sp = S
      CTE_AARCH64_X_CFI_(30)
      "  mrs x13, nzcv\n"
      "  stp x30, x13, [sp, #%c[pc]]\n"  // pc = the return address, then pstate
      "  stp x9, xzr, [sp, #%c[esr]]\n"  // esr, then far = 0
      "  stp x10, x11, [sp, #%c[trap_kind]]\n"  // trap kind, then interrupt ID
      "  str xzr, [sp, #%c[library_state]]\n"  // asynchronous clear: a call
      "  mrs x12, fpcr\n"
      "  mrs x13, fpsr\n"
      "  stp x12, x13, [sp, #%c[fpcr]]\n"  // fpcr, then fpsr
      CTE_AARCH64_CALLEE_SAVED_Q_PAIRS(CTE_AARCH64_STORE_Q_PAIR_)
      "  mov x0, sp\n"
      "  bl cte_aarch64_trap_dispatch\n"
      // x0 = the frame to resume; SP is still F. The one choice of a path.
      "  ldr x9, [x0, #%c[library_state]]\n"
      "  tbnz x9, #%c[stack_overflow_bit], 2f\n"
      "  tbnz x9, #%c[asynchronous_bit], 1f\n"
      "  b cte_aarch64_resume_voluntary\n"
      "1:\n"
      "  b cte_aarch64_resume_exact\n"
      "2:\n"
      "  b cte_aarch64_restore_overflowed\n"  // x0 = frame, on this stack; x30 leads back here
      CTE_ASM_FUNCTION_END(cte_aarch64_save_voluntary)
      ::CTE_AARCH64_SLOT_OPERANDS_, [pc] "i"(offsetof(Frame, pc)),
      [esr] "i"(offsetof(Frame, esr)), [trap_kind] "i"(offsetof(Frame, trap_kind)),
      [library_state] "i"(offsetof(Frame, library.state)), [fpcr] "i"(offsetof(Frame, fpcr)),
      [stack_overflow_bit] "i"(stack_overflow_bit), [asynchronous_bit] "i"(asynchronous_bit));
  asm volatile(
      // --- cte_aarch64_resume_voluntary(frame = x0): SP first moves onto the frame and stays
      // there until the last load from it. It gets back the GPRs except x16 and x17 (IP0/IP1,
      // dead at a call: see frame.hpp), q8-q15, FPCR, FPSR and NZCV. x17 carries the resume
      // address, x16 the state word and then the new SP; the enable-word bit picks one of two
      // tails, so nothing is read from the frame once SP has left it. The jump is a `ret x17`:
      // RET is not checked by BTI, so it may land on a return address as well as on a kcontext
      // entry function. No caller is described from the first instruction on (the frame is
      // another thread's, wherever it lies).
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_resume_voluntary)
      "  mov sp, x0\n"
      ".cfi_undefined x30\n"
      CTE_AARCH64_CALLEE_SAVED_Q_PAIRS(CTE_AARCH64_LOAD_Q_PAIR_)
      // FP control and status: written only when they differ (an msr to FPCR is slow).
      "  ldp x9, x10, [sp, #%c[fpcr]]\n"
      "  mrs x11, fpcr\n"
      "  mrs x12, fpsr\n"
      "  cmp x9, x11\n"
      "  b.eq 1f\n"
      "  msr fpcr, x9\n"
      "1:\n"
      "  cmp x10, x12\n"
      "  b.eq 2f\n"
      "  msr fpsr, x10\n"
      "2:\n"
      "  ldr x9, [sp, #%c[pstate]]\n"
      "  msr nzcv, x9\n"  // no flag-setting instruction after this point
      CTE_AARCH64_RESTORED_GPR_PAIRS(CTE_AARCH64_LOAD_GPR_PAIR_)
      "  ldr x30, [sp, #" CTE_AARCH64_X_SLOT_(30) "]\n"
      "  ldr x17, [sp, #%c[pc]]\n"
      "  ldr x16, [sp, #%c[library_state]]\n"
      "  tbz x16, #0, 3f\n"  // frame_state::interrupts_enabled
      "  ldr x16, [sp, #%c[sp]]\n"
      "  mov sp, x16\n"
      // The last act (SP and every register but x16/x17 are the thread's): set the hosted
      // enable word (any nonzero value: the page address at hand), then jump.
      "  adrp x16, cte_hosted_interrupts_enabled\n"
      "  str x16, [x16, :lo12:cte_hosted_interrupts_enabled]\n"
      "  ret x17\n"
      "3:\n"  // resumes with interrupts disabled: the word stays clear
      "  ldr x16, [sp, #%c[sp]]\n"
      "  mov sp, x16\n"
      "  ret x17\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_resume_voluntary)
      // --- cte_aarch64_resume_exact(frame = x0): every register back through the kernel's
      // sigreturn. The C++ code runs on the resumed thread's stack, where the signal layer put
      // the frame: SP = Isa::frame_below(its sp), which is the frame itself unless a handler
      // moved it (a copy in static storage must not have code running below it). No caller
      // frame is described from there (the frame need not be a call).
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_resume_exact)
      "  ldr x9, [x0, #%c[sp]]\n"
      "  sub x9, x9, #%c[gap]\n"
      "  and x9, x9, #%c[alignment_mask]\n"
      "  cmp x0, x9\n"  // run below the frame too, wherever the handler put it
      "  csel x9, x0, x9, lo\n"
      "  mov sp, x9\n"
      ".cfi_undefined x30\n"
      "  bl cte_aarch64_restore_asynchronous\n"
      "  brk #0\n"  // never reached: the exact resume does not return
      CTE_ASM_FUNCTION_END(cte_aarch64_resume_exact)
      ::CTE_AARCH64_SLOT_OPERANDS_, [pc] "i"(offsetof(Frame, pc)), [pstate] "i"(offsetof(Frame, pstate)),
      [sp] "i"(offsetof(Frame, sp)), [library_state] "i"(offsetof(Frame, library.state)),
      [fpcr] "i"(offsetof(Frame, fpcr)), [alignment_mask] "i"(~(stack_alignment - 1)));
}

#undef CTE_AARCH64_RESTORED_GPR_PAIRS
#undef CTE_AARCH64_CALLEE_SAVED_Q_PAIRS
#undef CTE_AARCH64_X_SLOT_
#undef CTE_AARCH64_Q_SLOT_
#undef CTE_AARCH64_X_CFI_
#undef CTE_AARCH64_D_CFI_
#undef CTE_AARCH64_STORE_GPR_PAIR_
#undef CTE_AARCH64_LOAD_GPR_PAIR_
#undef CTE_AARCH64_STORE_Q_PAIR_
#undef CTE_AARCH64_LOAD_Q_PAIR_
#undef CTE_AARCH64_SLOT_OPERANDS_

// The return address a kcontext entry function gets: past the nop that carries the
// outermost-frame rule (see cte_aarch64_thread_exit_trap).
inline std::uintptr_t thread_exit_return_address() {
  return reinterpret_cast<std::uintptr_t>(&cte_aarch64_thread_exit_trap) + instruction_size;
}

}  // namespace cte::aarch64
