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
// What a voluntary frame holds: a voluntary trap is a call, so only what a call keeps is live
// in the thread (x19-x29, x30 as the return address, SP, FPCR/FPSR, d8-d15) besides the
// trap's own arguments. The yield stub stores exactly that and its trap record; the
// caller-saved slots are left as they are (a yield's Context::arg is unspecified), and its
// dispatcher passes the constant yield Event as stored, without decoding. The other stubs
// (syscall: its number and arguments; thread exit; a held interrupt) store every GPR. The
// voluntary resume loads what a call keeps and x0 (a syscall's return value, set_return),
// never the other caller-saved registers nor NZCV: a handler's writes to them do not reach
// the thread, which treats them as clobbered by its call. A fresh kcontext frame needs nothing
// else (its argument is x0, its return address x30), so it stays voluntary.
//
// The paths, each a straight line:
//
//   trap stub --> store the frame at F (yield: in the stub; the others: through
//                 cte_aarch64_save_voluntary), call the dispatcher, then choose how the
//                 returned frame resumes (the one branch between the paths):
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

#include <cte/aarch64/decode.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/instruction_length.hpp>
#include <cte/detail/asm.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::aarch64 {
// What cte::yield() traps with, decoded once at compile time: the syndrome of `svc #yield`, as
// the yield stub records it (its dispatcher passes this Event as stored).
inline constexpr BasicEvent<Isa> hosted_yield_event = decode(TrapCause{.esr = svc_esr_of(voluntary_trap::yield)});
}  // namespace cte::aarch64

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
// Called by the yield stub: a yield's Event is a constant (the stub still records the trap in
// the frame, for the Context's accessors and for fatal reports that decode it again).
[[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_yield_dispatch(cte::aarch64::Frame *frame) {
  cte::TargetPlatform::on_trap_entry(*frame);
  return cte::detail::dispatch_decoded_trap</*stored_event=*/true>(frame, cte::aarch64::hosted_yield_event);
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

// The register lists of a voluntary frame, as stp/ldp pairs (first, second): what a call
// keeps (x19-x29 and x30, the return address), which every voluntary stub stores and the
// voluntary resume loads back; the caller-saved GPRs x0-x17 (x18 on its own), which the stubs
// other than yield store too; and the callee-saved vector registers (the whole q8-q15 are
// stored, so one pair instruction covers two).
#define CTE_AARCH64_CALLEE_SAVED_GPR_PAIRS(X) X(19, 20) X(21, 22) X(23, 24) X(25, 26) X(27, 28) X(29, 30)
#define CTE_AARCH64_CALLER_SAVED_GPR_PAIRS(X) \
  X(0, 1) X(2, 3) X(4, 5) X(6, 7) X(8, 9) X(10, 11) X(12, 13) X(14, 15) X(16, 17)
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
// The trap record is stored as four stp pairs (CTE_AARCH64_SAVE_VOLUNTARY_AND_DISPATCH).
static_assert(offsetof(Frame, pc) == offsetof(Frame, sp) + 8 && offsetof(Frame, esr) == offsetof(Frame, pstate) + 8 &&
                  offsetof(Frame, trap_kind) == offsetof(Frame, far) + 8 &&
                  offsetof(Frame, library.state) == offsetof(Frame, interrupt_id) + 8,
              "sp/pc, pstate/esr, far/trap_kind and interrupt_id/library.state are stp pairs");

// The shared tail of the voluntary stubs. SP = F, the frame (CFA = S = F + gap), with the GPRs
// the stub keeps stored (at least what a call keeps: the callee-saved pairs, x30 included);
// x30 = the resume address; esr, kind, id: registers (or xzr) holding ESR, the trap kind and
// the interrupt ID. Stores the trap record (sp = S, pc = x30, pstate 0: NZCV is dead at a
// call; far 0; library_state 0: a call), FPCR/FPSR and q8-q15, runs `dispatch` (a C function:
// frame in, frame to resume out) on the stack below the frame and sends the frame it returns
// down its path. x12 and x13 are free: dead at a call, and stored (if at all) before.
#define CTE_AARCH64_SAVE_VOLUNTARY_AND_DISPATCH(esr, kind, id, dispatch) \
  "  add x12, sp, #%c[gap]\n"                                            \
  "  stp x12, x30, [sp, #%c[sp]]\n" /* sp = S, then pc */               \
  "  stp xzr, " esr ", [sp, #%c[pstate]]\n"                             \
  "  stp xzr, " kind ", [sp, #%c[far]]\n"                               \
  "  stp " id ", xzr, [sp, #%c[interrupt_id]]\n"                        \
  "  mrs x12, fpcr\n"                                                    \
  "  mrs x13, fpsr\n"                                                    \
  "  stp x12, x13, [sp, #%c[fpcr]]\n" /* fpcr, then fpsr */             \
  CTE_AARCH64_CALLEE_SAVED_Q_PAIRS(CTE_AARCH64_STORE_Q_PAIR_)            \
  "  mov x0, sp\n"                                                       \
  "  bl " dispatch "\n" /* x0 = the frame to resume; SP is still F */   \
  "  ldr x9, [x0, #%c[library_state]]\n"                                 \
  "  tbnz x9, #%c[stack_overflow_bit], 2f\n"                             \
  "  tbnz x9, #%c[asynchronous_bit], 1f\n"                               \
  "  b cte_aarch64_resume_voluntary\n"                                   \
  "1:\n"                                                                 \
  "  b cte_aarch64_resume_exact\n"                                       \
  "2:\n"                                                                 \
  "  b cte_aarch64_restore_overflowed\n" /* x0 = frame, on this stack; x30 leads back here */

#define CTE_AARCH64_SAVE_OPERANDS_                                                                  \
  CTE_AARCH64_SLOT_OPERANDS_, [sp] "i"(offsetof(Frame, sp)), [pstate] "i"(offsetof(Frame, pstate)), \
      [far] "i"(offsetof(Frame, far)), [interrupt_id] "i"(offsetof(Frame, interrupt_id)),           \
      [library_state] "i"(offsetof(Frame, library.state)), [fpcr] "i"(offsetof(Frame, fpcr)),       \
      [stack_overflow_bit] "i"(stack_overflow_bit), [asynchronous_bit] "i"(asynchronous_bit)
static_assert(TrapKind::synchronous == TrapKind{0}, "the yield stub records the synchronous kind as xzr");
// cte_aarch64_resume_exact places its stack as Isa::frame_below does, from the same constants.
static_assert(frame_address_below(0x10008) == ((0x10008 - frame_gap) & ~(stack_alignment - 1)) &&
              frame_address_below(0x10000) == ((0x10000 - frame_gap) & ~(stack_alignment - 1)));

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_aarch64_yield_trap(): a plain call; SP = S, x30 = the resume address. Stores
      // what a call keeps and the record of `svc #yield` (ESR in x9, dead at a call; the
      // synchronous kind and interrupt ID 0). Its own copy of the tail: it stores no
      // caller-saved register, and its dispatcher knows the Event without decoding.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_yield_trap)
      "  sub sp, sp, #%c[gap]\n"
      ".cfi_def_cfa_offset %c[gap]\n"
      CTE_AARCH64_CALLEE_SAVED_GPR_PAIRS(CTE_AARCH64_STORE_GPR_PAIR_)
      "  mov x9, #%c[svc_esr]\n"
      "  add x9, x9, #%c[yield_marker]\n"
      CTE_AARCH64_SAVE_VOLUNTARY_AND_DISPATCH("x9", "xzr", "xzr", "cte_aarch64_yield_dispatch")
      CTE_ASM_FUNCTION_END(cte_aarch64_yield_trap)
      ::CTE_AARCH64_SAVE_OPERANDS_, [yield_marker] "i"(voluntary_trap::yield),
      [svc_esr] "i"(svc_esr_of(voluntary_trap::syscall)));
  asm volatile(
      // Each of the other entry stubs sets x9 (ESR), x10 (trap kind) and x11 (interrupt ID),
      // dead at a call, and jumps to the shared save.
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
      ::[thread_exit_marker] "i"(voluntary_trap::thread_exit), [svc_esr] "i"(svc_esr_of(voluntary_trap::syscall)),
      [synchronous] "i"(static_cast<std::uint64_t>(TrapKind::synchronous)));
  asm volatile(
      // --- cte_aarch64_save_voluntary: the shared save of the stubs above. SP = S, the caller's
      // stack pointer; x30 = the resume address; x8-x11 as the stubs set them. Saves a
      // voluntary frame at F = S - frame_gap with every GPR (the handler reads a syscall's
      // number and arguments from them). The CFI describes the trapped thread (CFA = S,
      // registers in their slots), so a backtrace from the handler walks into the caller of
      // yield()/syscall().
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_save_voluntary)
      "  sub sp, sp, #%c[gap]\n"
      ".cfi_def_cfa_offset %c[gap]\n"
      CTE_AARCH64_CALLER_SAVED_GPR_PAIRS(CTE_AARCH64_STORE_GPR_PAIR_)
      "  str x18, [sp, #" CTE_AARCH64_X_SLOT_(18) "]\n"
      CTE_AARCH64_X_CFI_(18)
      CTE_AARCH64_CALLEE_SAVED_GPR_PAIRS(CTE_AARCH64_STORE_GPR_PAIR_)
      CTE_AARCH64_SAVE_VOLUNTARY_AND_DISPATCH("x9", "x10", "x11", "cte_aarch64_trap_dispatch")
      CTE_ASM_FUNCTION_END(cte_aarch64_save_voluntary)
      ::CTE_AARCH64_SAVE_OPERANDS_);
  asm volatile(
      // --- cte_aarch64_resume_voluntary(frame = x0): SP first moves onto the frame and stays
      // there until the last load from it. It gets back what a call keeps (x19-x30, q8-q15,
      // FPCR, FPSR) and x0, the return value; the thread's other registers and NZCV are dead
      // at its call (x16 and x17, IP0/IP1, carry the resume: see frame.hpp). x17 carries the resume
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
      CTE_AARCH64_CALLEE_SAVED_GPR_PAIRS(CTE_AARCH64_LOAD_GPR_PAIR_)
      "  ldr x0, [sp, #" CTE_AARCH64_X_SLOT_(0) "]\n"
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
      ::CTE_AARCH64_SLOT_OPERANDS_, [pc] "i"(offsetof(Frame, pc)),
      [sp] "i"(offsetof(Frame, sp)), [library_state] "i"(offsetof(Frame, library.state)),
      [fpcr] "i"(offsetof(Frame, fpcr)), [alignment_mask] "i"(~(stack_alignment - 1)));
}

#undef CTE_AARCH64_CALLEE_SAVED_GPR_PAIRS
#undef CTE_AARCH64_CALLER_SAVED_GPR_PAIRS
#undef CTE_AARCH64_SAVE_VOLUNTARY_AND_DISPATCH
#undef CTE_AARCH64_SAVE_OPERANDS_
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
