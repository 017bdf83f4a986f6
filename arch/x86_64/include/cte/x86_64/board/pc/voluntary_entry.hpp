#pragma once
// The pc board's voluntary traps: yield(), syscall(...) and the kcontext thread-exit stub are
// plain function calls that never take a hardware trap (as on the riscv64 board). A call keeps
// only what the System V ABI makes callee-saved (rbx, rbp, r12-r15, rsp; the FP control words
// MXCSR and FCW have thread storage duration), so a stub saves a *voluntary* Frame
// (frame_state::asynchronous clear) and the dispatcher sees what an `int` would have recorded:
//
//   vector   vector::yield, ::syscall or ::thread_exit (int 0x80 + the voluntary_trap marker);
//            error code, fault address and payload 0
//   rax      the system call number; rdi rsi rdx r10 r8 r9 the arguments (a yield's slots are
//            not written); the result is rax
//   rip      the return address: past the call, where the thread resumes; for thread exit the
//            stub itself
//   rflags   the caller's, IF included (the Context's interrupt state); rsp the caller's
//   fpu      fcw and mxcsr only
//
// Interrupts go off with the stub's second instruction (pushfq records IF first; an interrupt
// between the two is an ordinary one of the calling thread) and stay off through the handler
// until the resume enables them: popfq with IF clear, then `sti` right before the final `jmp`,
// whose one-instruction shadow lets the interrupt in only at the resumed pc with every
// register in place.
//
// Deferred callee-saved registers: the dispatcher and the handler are C++ functions and keep
// rbx, rbp and r12-r15 for their caller, so the stub calls the dispatcher before storing them.
// If the handler resumes the same Context, they are still in the registers: the stub reloads
// only what the handler may have changed (rip, rflags, the FP control words, a syscall's rax)
// and leaves. If it resumes another, cte_x86_64_pc_switch_away first stores them (the frame is
// then complete) and takes the resume the other Context needs. So while a handler runs, the
// callee-saved slots of its own voluntary Context are not written yet (the portable accessors
// never read them).
//
// Frame placement and stack overflow: the rule of the trap entry (extended_frame.hpp,
// frame_below; trap_entry.hpp): the frame below the caller's rsp S, unless that is at most
// 64 KiB below the running kcontext thread's frame limit (its stack start plus
// Board::stack_reserve): then the thread ran off its stack, the frame goes to
// TrapScratch::overflow marked stack_overflow, the dispatcher runs on the emergency stack and
// the handler sees EventKind::stack_overflow. The stub's only store before the check is
// pushfq's at S-16; if that already lies in a GuardedStack's guard page, the #PF it raises is
// reported as the same stack_overflow by the trap entry. rsp moves to the frame before
// anything is stored in it (an NMI never lands on a half-written frame), so the return address
// and RFLAGS are read through r11.
//
//   caller's stack                     after the head
//   +-----------------------+ <- S      rsp = F, r11 = S-16
//   | return address        |  S-8
//   | RFLAGS (pushfq)       |  S-16
//   | (XSAVE area's place)  |
//   +-----------------------+ <- F + fpu, 64-byte aligned
//   | Frame                 |
//   +-----------------------+ <- F = rsp: the dispatcher and handler run below

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/x86_64/board/pc/cpu.hpp>
#include <cte/x86_64/board/pc/extended_frame.hpp>
#include <cte/x86_64/board/pc/frame_cfi.hpp>
#include <cte/x86_64/board/pc/trap_entry.hpp>
#include <cte/x86_64/frame.hpp>

// The stubs are declared with the board's other entry points (trap_entry.hpp).
extern "C" {
// Called by the stubs with the voluntary frame they saved; return the frame to resume
// (dispatch.hpp). The yield stub's knows its Event without decoding.
cte::x86_64::Frame *cte_x86_64_pc_voluntary_dispatch(cte::x86_64::Frame *frame);
cte::x86_64::Frame *cte_x86_64_pc_yield_dispatch(cte::x86_64::Frame *frame);
}

namespace cte::x86_64::pc {

inline constexpr unsigned rflags_interrupt_enable_bit = 9;
static_assert(bits::rflags_interrupt_enable == 1u << rflags_interrupt_enable_bit);
static_assert(frame_state::stack_overflow < 0x80000000u, "stored as a 32-bit immediate");

// The first part of every stub, entered as a call left it (rsp = S-8, the return address at
// [rsp]): RFLAGS recorded, interrupts off, rsp = the frame (placement and overflow check),
// library.state, then rflags, rip and rsp recorded and the CFI of the frame. Uses rax and r11
// only: the arguments of a syscall are still live.
#define CTE_X86_64_PC_VOLUNTARY_HEAD                                     \
  "  pushfq\n"                                                           \
  "  .cfi_adjust_cfa_offset 8\n"                                         \
  "  cli\n"                                                              \
  "  mov %%rsp, %%r11\n" /* S-16 */                                      \
  "  .cfi_def_cfa_register %%r11\n"                                      \
  "  lea (16 - %c[area_size])(%%rsp), %%rsp\n" /* frame_below(S) */      \
  "  and $-%c[xsave_alignment], %%rsp\n"                                 \
  "  sub $%c[fpu], %%rsp\n"                                              \
  "  movq $0, %c[library_state](%%rsp)\n"                                \
  "  cmp (cte_x86_64_pc_trap_scratch + %c[frame_limit])(%%rip), %%rsp\n" \
  "  jae 1f\n" /* at or above the frame limit: the usual case */         \
  "  lea 1f(%%rip), %%rax\n"                                             \
  "  jmp cte_x86_64_pc_voluntary_frame_below_limit\n"                    \
  "1:\n"                                                                 \
  "  mov (%%r11), %%rax\n"                                               \
  "  mov %%rax, %c[rflags](%%rsp)\n"                                     \
  "  mov 8(%%r11), %%rax\n"                                              \
  "  mov %%rax, %c[rip](%%rsp)\n"                                        \
  "  lea 16(%%r11), %%rax\n"                                             \
  "  mov %%rax, %c[rsp](%%rsp)\n" CTE_X86_64_PC_CFI_CFA_FROM_FRAME

// The trap record after what the stub traps for: the cause (operand trap_vector), the FP
// control words.
#define CTE_X86_64_PC_VOLUNTARY_RECORD           \
  "  movq $%c[trap_vector], %c[vector](%%rsp)\n" \
  "  movq $0, %c[error_code](%%rsp)\n"           \
  "  movq $0, %c[fault_address](%%rsp)\n"        \
  "  movq $0, %c[payload](%%rsp)\n"              \
  "  fnstcw %c[fcw](%%rsp)\n"                    \
  "  stmxcsr %c[mxcsr](%%rsp)\n"

// rsp = S, rcx = the pc to resume at, rdx = its RFLAGS, every other register in place and
// interrupts off: RFLAGS with IF clear, then IF by `sti` in the shadow of the final jump.
// push/popfq use S-8, dead at a call boundary (the kernel has no red zone).
#define CTE_X86_64_PC_VOLUNTARY_LEAVE        \
  "  .cfi_def_cfa %%rsp, 0\n"                \
  "  .cfi_register %%rip, %%rcx\n"           \
  "  btr $%c[if_bit], %%rdx\n" /* CF = IF */ \
  "  push %%rdx\n"                           \
  "  .cfi_adjust_cfa_offset 8\n"             \
  "  jc 2f\n"                                \
  "  popfq\n"                                \
  "  .cfi_remember_state\n"                  \
  "  .cfi_adjust_cfa_offset -8\n"            \
  "  jmp *%%rcx\n"                           \
  "  .cfi_restore_state\n"                   \
  "2:\n"                                     \
  "  popfq\n"                                \
  "  .cfi_adjust_cfa_offset -8\n"            \
  "  sti\n"                                  \
  "  jmp *%%rcx\n"

// The rest of every stub: the dispatcher call, then the return to the same Context
// (`reload_result`: the load of a syscall's rax) or the switch to another.
#define CTE_X86_64_PC_VOLUNTARY_TAIL(dispatcher, reload_result) \
  "  mov %%rsp, %%rdi\n"                                        \
  "  call " dispatcher                                          \
  "\n"                                                          \
  "  cmp %%rax, %%rsp\n"                                        \
  "  jne cte_x86_64_pc_switch_away\n"                           \
  "  fldcw %c[fcw](%%rsp)\n"                                    \
  "  ldmxcsr %c[mxcsr](%%rsp)\n" reload_result                  \
  "  mov %c[rip](%%rsp), %%rcx\n"                               \
  "  mov %c[rflags](%%rsp), %%rdx\n"                            \
  "  mov %c[rsp](%%rsp), %%rsp\n" CTE_X86_64_PC_VOLUNTARY_LEAVE

#define CTE_X86_64_PC_VOLUNTARY_OFFSET_(name, NAME) [name] "i"(offsetof(Frame, name)),
#define CTE_X86_64_PC_STORE_CALLEE_SAVED_(name, column) "  mov %%" #name ", %c[" #name "](%%rsp)\n"
#define CTE_X86_64_PC_LOAD_CALLEE_SAVED_(name, column) "  mov %c[" #name "](%%rsp), %%" #name "\n"
// Operands of the stubs.
#define CTE_X86_64_PC_VOLUNTARY_OPERANDS                                                                       \
  CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_PC_VOLUNTARY_OFFSET_)                                                \
  [rax] "i"(offsetof(Frame, rax)), [area_size] "i"(xsave::area_size), [xsave_alignment] "i"(xsave::alignment), \
      [fpu] "i"(offsetof(Frame, fpu)), [library_state] "i"(offsetof(Frame, library.state)),                    \
      [frame_limit] "i"(offsetof(TrapScratch, frame_limit)), [vector] "i"(offsetof(Frame, vector)),            \
      [error_code] "i"(offsetof(Frame, error_code)), [fault_address] "i"(offsetof(Frame, fault_address)),      \
      [payload] "i"(offsetof(Frame, payload)), [fcw] "i"(offsetof(Frame, fpu.fcw)),                            \
      [mxcsr] "i"(offsetof(Frame, fpu.mxcsr)), [if_bit] "i"(rflags_interrupt_enable_bit)

// Emits the stubs and their helpers. Never called: [[gnu::used]] makes every translation unit
// emit the COMDAT groups inside. (The asm text is laid out one instruction or macro per line.)
// clang-format off
[[gnu::used]] inline void emit_voluntary_entry() {
  asm volatile(
      // --- yield().
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_yield)
      CTE_X86_64_PC_VOLUNTARY_HEAD
      CTE_X86_64_PC_CFI_SAVED_AT_SP(CTE_X86_64_PC_CFI_RIP_COLUMN, "%c[rip]")
      CTE_X86_64_PC_VOLUNTARY_RECORD
      CTE_X86_64_PC_VOLUNTARY_TAIL("cte_x86_64_pc_yield_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_yield) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_PC_VOLUNTARY_OPERANDS, [trap_vector] "i"(vector::yield));
  asm volatile(
      // --- syscall(a0..a5, number): a C call, the number on the stack (r10 until the frame
      // holds it); the arguments go to the slots of the syscall convention (a3 in r10's).
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_syscall)
      "  mov 8(%%rsp), %%r10\n"
      CTE_X86_64_PC_VOLUNTARY_HEAD
      CTE_X86_64_PC_CFI_SAVED_AT_SP(CTE_X86_64_PC_CFI_RIP_COLUMN, "%c[rip]")
      "  mov %%r10, %c[rax](%%rsp)\n"
      "  mov %%rdi, %c[rdi](%%rsp)\n"
      "  mov %%rsi, %c[rsi](%%rsp)\n"
      "  mov %%rdx, %c[rdx](%%rsp)\n"
      "  mov %%rcx, %c[r10](%%rsp)\n"
      "  mov %%r8, %c[r8](%%rsp)\n"
      "  mov %%r9, %c[r9](%%rsp)\n"
      CTE_X86_64_PC_VOLUNTARY_RECORD
      CTE_X86_64_PC_VOLUNTARY_TAIL("cte_x86_64_pc_voluntary_dispatch", "  mov %c[rax](%%rsp), %%rax\n")
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_syscall) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_PC_VOLUNTARY_OPERANDS, [trap_vector] "i"(vector::syscall), [rdi] "i"(offsetof(Frame, rdi)),
      [rsi] "i"(offsetof(Frame, rsi)), [rdx] "i"(offsetof(Frame, rdx)), [r10] "i"(offsetof(Frame, r10)),
      [r8] "i"(offsetof(Frame, r8)), [r9] "i"(offsetof(Frame, r9)));
  asm volatile(
      // --- thread exit: the return address of every kcontext thread's entry function,
      // reached by its `ret` (rsp = S). It pushes its own address as a call would have pushed
      // a return address (rip = the stub itself) and traps like the others; the dispatcher
      // refuses to resume it. The outermost frame of a kcontext thread: no caller.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_RETURN_TARGET_BEGIN(cte_x86_64_pc_thread_exit, ".cfi_undefined %%rip\n")
      "  lea cte_x86_64_pc_thread_exit(%%rip), %%rax\n"
      "  push %%rax\n"
      CTE_X86_64_PC_VOLUNTARY_HEAD
      "  .cfi_undefined %%rip\n"
      CTE_X86_64_PC_VOLUNTARY_RECORD
      CTE_X86_64_PC_VOLUNTARY_TAIL("cte_x86_64_pc_voluntary_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_thread_exit) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_PC_VOLUNTARY_OPERANDS, [trap_vector] "i"(vector::thread_exit));
  asm volatile(
      // --- The head's slow path (rsp = a frame below the frame limit, r11 = S-16, link in
      // rax). Overflow iff the frame is at most 64 KiB below the limit (frame + window >=
      // limit), as in the trap entry: then rsp = the reserved frame, marked stack_overflow.
      // Otherwise the frame is far below the limit, on another stack, and stays there.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_voluntary_frame_below_limit)
      "  .cfi_def_cfa %%r11, 16\n"
      "  add $%c[window], %%rsp\n"
      "  cmp (cte_x86_64_pc_trap_scratch + %c[frame_limit])(%%rip), %%rsp\n"
      "  jae 1f\n"
      "  sub $%c[window], %%rsp\n"  // another stack: no overflow
      "  jmp *%%rax\n"
      "1:\n"
      "  lea (cte_x86_64_pc_trap_scratch + %c[overflow_frame])(%%rip), %%rsp\n"
      "  movq $%c[stack_overflow], %c[library_state](%%rsp)\n"
      "  jmp *%%rax\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_voluntary_frame_below_limit) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: [window] "i"(1u << overflow_window_shift), [frame_limit] "i"(offsetof(TrapScratch, frame_limit)),
      [overflow_frame] "i"(offsetof(TrapScratch, overflow) + offsetof(FrameSlot, frame)),
      [stack_overflow] "i"(frame_state::stack_overflow), [library_state] "i"(offsetof(Frame, library.state)));
  asm volatile(
      // --- switch_away(rax = the frame to resume), rsp = the voluntary frame a stub just saved
      // and dispatched: its callee-saved registers are still live (the dispatcher kept them);
      // store them, which completes the frame, then take the resume the other frame needs.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_switch_away)
      CTE_X86_64_PC_CFI_CFA_FROM_FRAME
      CTE_X86_64_PC_CFI_SAVED_AT_SP(CTE_X86_64_PC_CFI_RIP_COLUMN, "%c[rip]")
      CTE_X86_64_CALLEE_SAVED_REGISTERS(CTE_X86_64_PC_STORE_CALLEE_SAVED_)
      "  mov %%rax, %%rdi\n"
      "  jmp cte_x86_64_pc_resume\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_switch_away) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_PC_CALLEE_SAVED_OPERANDS
      [rsp] "i"(offsetof(Frame, rsp)), [rip] "i"(offsetof(Frame, rip)));
  asm volatile(
      // --- cte_x86_64_pc_resume_voluntary(rdi = a voluntary frame): what a call keeps (the
      // callee-saved registers, rsp, the FP control words), the result in rax, RFLAGS and rip.
      // A jump between threads: no caller until rsp is the thread's.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_resume_voluntary)
      "  .cfi_undefined %%rip\n"
      "  mov %%rdi, %%rsp\n"
      "  fldcw %c[fcw](%%rsp)\n"
      "  ldmxcsr %c[mxcsr](%%rsp)\n"
      CTE_X86_64_CALLEE_SAVED_REGISTERS(CTE_X86_64_PC_LOAD_CALLEE_SAVED_)
      "  mov %c[rax](%%rsp), %%rax\n"
      "  mov %c[rip](%%rsp), %%rcx\n"
      "  mov %c[rflags](%%rsp), %%rdx\n"
      "  mov %c[rsp](%%rsp), %%rsp\n"
      CTE_X86_64_PC_VOLUNTARY_LEAVE
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_resume_voluntary) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_PC_CALLEE_SAVED_OPERANDS
      CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_PC_VOLUNTARY_OFFSET_)
      [rax] "i"(offsetof(Frame, rax)), [fcw] "i"(offsetof(Frame, fpu.fcw)), [mxcsr] "i"(offsetof(Frame, fpu.mxcsr)),
      [if_bit] "i"(rflags_interrupt_enable_bit));
}

// clang-format on

#undef CTE_X86_64_PC_VOLUNTARY_HEAD
#undef CTE_X86_64_PC_VOLUNTARY_RECORD
#undef CTE_X86_64_PC_VOLUNTARY_LEAVE
#undef CTE_X86_64_PC_VOLUNTARY_TAIL
#undef CTE_X86_64_PC_VOLUNTARY_OFFSET_
#undef CTE_X86_64_PC_STORE_CALLEE_SAVED_
#undef CTE_X86_64_PC_LOAD_CALLEE_SAVED_
#undef CTE_X86_64_PC_VOLUNTARY_OPERANDS

}  // namespace cte::x86_64::pc
