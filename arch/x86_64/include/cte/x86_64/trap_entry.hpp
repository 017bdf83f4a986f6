#pragma once
// x86_64 hosted trap entry: the voluntary trap stubs (yield, syscall, kcontext thread exit, a
// held interrupt taken by iset) and the paths that resume a Context. Asynchronous traps enter
// through the hosted signal layer (hosted_signal.hpp) and leave through sigreturn or here.
//
// The stack of a thread whose stack pointer is S while a Frame describes it (addresses grow
// upwards; S is 16-byte aligned at a call boundary, so at every voluntary trap):
//
//        |  the thread's own stack frames      |
//   S -> +-------------------------------------+ <- CFA of the trap stub while it runs
//        |  return address of the trap call    |  S-8 (voluntary)
//        |  red zone, 128 bytes: live data of  |
//        |  a thread stopped at an arbitrary   |  voluntary resume with popfq: RFLAGS
//        |  instruction, dead at a call        |  at S-8
//        +-------------------------------------+ S-128
//        |  RestoreWindow (asynchronous resume)|
//        +-------------------------------------+ S-128-restore_window
//        |  (alignment padding, if any)        |
//   F -> +-------------------------------------+ F = Isa::frame_below(S) = S - frame_gap
//        |  Frame (sizeof(Frame), 16-aligned)  |  at a call boundary
//        +-------------------------------------+
//        |  asynchronous frames: the XSAVE     |  xsave_area_below(F, CPUID size),
//        |  area (frame.hpp), 64-byte aligned  |  F->fpu.extended.area
//        +-------------------------------------+
//        |  the dispatcher's and the handler's |  (voluntary traps: the same stack;
//        |  stack frames                       |   signals run on the alternate stack)
//
// Leaving a trap: the stub's tail, once the dispatcher has returned the frame to resume,
// branches once to one of four linear resume paths:
// - cte_x86_64_return_voluntary: the frame it saved itself (the thread that trapped goes on);
//   ends in `ret`, which pops the return-stack entry its call pushed.
// - cte_x86_64_resume_voluntary: another thread's voluntary frame; ends in an indirect `jmp`,
//   predicted from its own history (a `ret` would be mispredicted on every switch).
// - cte_x86_64_resume_voluntary_popfq: either, when the resumed thread's system flags (DF, TF,
//   AC, ...) differ from the live ones, which the tail compares with what the stub's pushfq
//   read (kept in RBX across the dispatcher). The voluntary paths leave the status flags as
//   they are: they are dead at a call, so no other path reads or sets RFLAGS.
// - cte_x86_64_resume_asynchronous: a frame saved at an arbitrary instruction (every register,
//   the whole FXSAVE image and the XSAVE area); ends in `ret $128`, back over the red zone. It
//   writes RAX, RFLAGS, the enable word and RIP into a RestoreWindow on the resumed thread's
//   stack, loads everything else, moves RSP into the window and pops it.
// The voluntary paths need no window: RCX and RDX are dead at a call, and carry the enable
// word and the resume address to the end. Storing the enable word into
// cte_hosted_interrupts_enabled is the last act before the jump (the hosted rule for leaving a
// trap, platform/hosted.hpp): until then interrupts stay held, and after it the thread's state
// is complete.
//
// Red zone: the frame and the asynchronous window skip the 128 bytes below S because a thread
// stopped anywhere may keep live data there; a kernel built with -mno-red-zone just leaves them
// unused. The code below that does rely on the hosted setting says so where it does.

#include <cstddef>
#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/platform/hosted.hpp>
#include <cte/x86_64/decode.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/isa.hpp>

extern "C" {
void cte_x86_64_yield_trap();
std::uint64_t cte_x86_64_syscall_trap(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                      std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
void cte_x86_64_thread_exit_trap();
void cte_x86_64_interrupt_trap(std::uint64_t vector, std::uint64_t payload);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_trap_dispatch(cte::x86_64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}
// Called by the yield stub: a yield's Event is a constant (the stub still records the vector
// in the frame, for the Context's accessors and for fatal reports that decode it again).
[[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_yield_dispatch(cte::x86_64::Frame *frame) {
  cte::TargetPlatform::on_trap_entry(*frame);
  return cte::detail::dispatch_decoded_trap</*stored_event=*/true>(frame, cte::x86_64::yield_event);
}
}

namespace cte::x86_64 {

// RFLAGS: the status flags (CF PF AF ZF SF OF), which ordinary instructions change; every other
// bit is a system flag (DF, TF, AC, ID, IF, IOPL, ...).
inline constexpr std::int64_t status_flags = 0x8d5;

static_assert(frame_state::interrupts_enabled == 1, "restore stores (state & interrupts_enabled) as the enable word");
// The stubs store the trap cause as two 16-byte pairs (see CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH).
static_assert(offsetof(Frame, vector) % 16 == 0 && offsetof(Frame, error_code) == offsetof(Frame, vector) + 8);
static_assert(offsetof(Frame, fault_address) % 16 == 0 &&
              offsetof(Frame, payload) == offsetof(Frame, fault_address) + 8);
// `ret $red_zone` pops the window's last word and steps over the red zone.
static_assert(offsetof(RestoreWindow, rip) + 8 == restore_window && red_zone <= 0xffff);

// Asm operands: the offset of each register in the Frame, named after it (18 of the at most
// 30 operands an asm statement takes), and the RestoreWindow's layout.
#define CTE_X86_64_OFFSET_OPERAND_(name, NAME) [name] "i"(offsetof(Frame, name)),
#define CTE_X86_64_REGISTER_OPERANDS                       \
  CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_OFFSET_OPERAND_) \
  CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_OFFSET_OPERAND_)
#define CTE_X86_64_WINDOW_OPERANDS                                                                               \
  [window] "i"(restore_window), [window_rflags] "i"(offsetof(RestoreWindow, rflags)),                            \
      [window_enable] "i"(offsetof(RestoreWindow, enable_word)), [window_rip] "i"(offsetof(RestoreWindow, rip)), \
      [enable_word] "m"(cte_hosted_interrupts_enabled), [enabled_bit] "i"(frame_state::interrupts_enabled),      \
      [library_state] "i"(offsetof(Frame, library.state))

#define CTE_X86_64_STORE_(name, NAME) "  mov %%" #name ", %c[" #name "](%%rsp)\n"
#define CTE_X86_64_LOAD_(name, NAME) "  mov %c[" #name "](%%rsp), %%" #name "\n"

// The shared tail of the voluntary stubs: RSP = frame = S - frame_gap, the resume address at
// S-8 (the trap call's return address). REGISTERS(X) lists the general registers the stub keeps
// besides the ones it stored itself: the callee-saved ones for a yield (nothing else is live at
// a call, and a yield has no arguments), every one but RAX for the stubs whose frames carry
// arguments (syscall; RAX, the number, stored by the stub). The trap cause comes in XMM0 (vector,
// error code) and XMM1 (fault address, payload), free to use at a call (the ABI makes every
// XMM register caller-saved), and goes into the frame as two 16-byte stores: the dispatcher's
// decoder, as compilers vectorise it, reads these fields with 16-byte loads, and a load that
// spans two narrower stores made just before cannot be forwarded from the store buffer (it
// waits for them to reach the cache). Saves the rest of the frame, calls `dispatch` (a C
// function: frame in, frame to resume out) and branches once to the resume path that fits.
// CFI: the CFA is RSP + frame_gap throughout (S), the return address at S-8.
#define CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH(REGISTERS, dispatch)                                     \
  REGISTERS(CTE_X86_64_STORE_)                                                                          \
  "  mov (%c[gap] - 8)(%%rsp), %%rax\n"                                                                 \
  "  mov %%rax, %c[rip](%%rsp)\n"                                                                       \
  "  lea %c[gap](%%rsp), %%rax\n"                                                                       \
  "  mov %%rax, %c[rsp](%%rsp)\n"                                                                       \
  "  .cfi_offset %%rbx, (%c[rbx] - %c[gap])\n" /* RBX is the stub's from here on */                     \
  "  pushfq\n"                                                                                          \
  "  .cfi_adjust_cfa_offset 8\n"                                                                        \
  "  pop %%rbx\n" /* the live RFLAGS, which the dispatcher keeps (callee-saved) for the tail */         \
  "  .cfi_adjust_cfa_offset -8\n"                                                                       \
  "  mov %%rbx, %c[rflags](%%rsp)\n"                                                                    \
  "  movaps %%xmm0, %c[vector](%%rsp)\n"                                                                \
  "  movaps %%xmm1, %c[fault_address](%%rsp)\n"                                                         \
  "  movq $0, %c[library_state](%%rsp)\n" /* voluntary: at a call only the FP control words are live */ \
  "  fnstcw %c[fcw](%%rsp)\n"                                                                           \
  "  stmxcsr %c[mxcsr](%%rsp)\n"                                                                        \
  "  mov %%rsp, %%rdi\n"                                                                                \
  "  call " dispatch                                                                                    \
  "\n"                                                                                                  \
  "  mov %%rax, %%rdi\n"                                                                                \
  "  testb $%c[asynchronous], %c[library_state](%%rax)\n"                                               \
  "  jnz cte_x86_64_resume_asynchronous\n"                                                              \
  "  mov %c[rflags](%%rax), %%rcx\n"                                                                    \
  "  xor %%rbx, %%rcx\n"                                                                                \
  "  test $~%c[status_flags], %%rcx\n"                                                                  \
  "  jnz cte_x86_64_resume_voluntary_popfq\n"                                                           \
  "  cmp %%rax, %%rsp\n"                                                                                \
  "  jne cte_x86_64_resume_voluntary\n"                                                                 \
  "  jmp cte_x86_64_return_voluntary\n"

#define CTE_X86_64_SAVE_OPERANDS                                                                                \
  CTE_X86_64_REGISTER_OPERANDS[vector] "i"(offsetof(Frame, vector)),                                            \
      [fault_address] "i"(offsetof(Frame, fault_address)), [library_state] "i"(offsetof(Frame, library.state)), \
      [fcw] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, fcw)),                                              \
      [mxcsr] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, mxcsr)), [gap] "i"(frame_gap),                    \
      [asynchronous] "i"(frame_state::asynchronous), [status_flags] "i"(status_flags)
static_assert(frame_state::asynchronous < 0x100, "the stub tail tests the state's low byte");

// The body of the voluntary resume paths: RDI = the frame to resume, whose thread stopped at a
// call boundary. There only the callee-saved registers, RAX (the return value) and of the FP
// state the control words are live; RCX, RDX and everything below S are dead. Loads them and
// ends with RSP = the frame, RDX = the resume address and RCX = the enable word the thread
// resumes with: the path stores it as its last act, then jumps (from then on an interrupt may
// be taken, and one taken before the jump finds every register the thread needs in place).
// The x87 control word is loaded only when it differs from the live one: fnstcw is cheap,
// fldcw is costly on some CPUs. MXCSR is loaded unconditionally: stmxcsr is the costly
// direction. The live control word goes below RSP: interrupts are held here (and hosted
// signals run on the alternate stack), so nothing else writes there.
#define CTE_X86_64_LOAD_VOLUNTARY           \
  "  mov %c[library_state](%%rdi), %%ecx\n" \
  "  and $%c[enabled_bit], %%ecx\n"         \
  "  fnstcw -8(%%rsp)\n"                    \
  "  movzwl -8(%%rsp), %%edx\n"             \
  "  cmp %%dx, %c[fcw](%%rdi)\n"            \
  "  je 1f\n"                               \
  "  fldcw %c[fcw](%%rdi)\n"                \
  "1:\n"                                    \
  "  mov %%rdi, %%rsp\n"                    \
  "  ldmxcsr %c[mxcsr](%%rsp)\n"            \
  "  mov %c[rip](%%rsp), %%rdx\n"           \
  "  mov %c[rax](%%rsp), %%rax\n" CTE_X86_64_CALLEE_SAVED_REGISTERS(CTE_X86_64_LOAD_)

#define CTE_X86_64_RESTORE_OPERANDS                                                                            \
  CTE_X86_64_REGISTER_OPERANDS[enable_word] "m"(cte_hosted_interrupts_enabled),                                \
      [enabled_bit] "i"(frame_state::interrupts_enabled), [library_state] "i"(offsetof(Frame, library.state)), \
      [fcw] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, fcw)),                                             \
      [mxcsr] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, mxcsr)), [gap] "i"(frame_gap)

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups (cte/detail/asm.hpp) make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_x86_64_yield_trap: a plain call; RSP = S-8 with the return address at [RSP].
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_yield_trap)
      "  sub $(%c[gap] - 8), %%rsp\n"  // RSP = frame
      "  .cfi_adjust_cfa_offset (%c[gap] - 8)\n"
      "  mov $%c[yield_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"   // vector, error code 0
      "  pxor %%xmm1, %%xmm1\n"  // fault address 0, payload 0
      // Its own copy of the tail: a yield's dispatcher knows the Event without decoding.
      CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH(CTE_X86_64_CALLEE_SAVED_REGISTERS, "cte_x86_64_yield_dispatch")
      CTE_ASM_FUNCTION_END(cte_x86_64_yield_trap) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_SAVE_OPERANDS, [yield_vector] "i"(vector::yield));
  asm volatile(
      // --- cte_x86_64_syscall_trap(a0..a5, number): C call; the 7th argument is on the stack.
      // Re-shape into the syscall convention (number in RAX, 4th argument in R10) and trap.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_syscall_trap)
      "  mov 8(%%rsp), %%rax\n"
      "  mov %%rcx, %%r10\n"
      "  sub $(%c[gap] - 8), %%rsp\n"
      "  .cfi_adjust_cfa_offset (%c[gap] - 8)\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  mov $%c[syscall_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"
      "  pxor %%xmm1, %%xmm1\n"
      "  jmp cte_x86_64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_syscall_trap) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: [gap] "i"(frame_gap), [rax] "i"(offsetof(Frame, rax)), [syscall_vector] "i"(vector::syscall));
  asm volatile(
      // --- cte_x86_64_interrupt_trap(vector, payload): C call. Delivers an interrupt that was
      // held pending while interrupts were disabled, at the point they are enabled again.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_interrupt_trap)
      "  sub $(%c[gap] - 8), %%rsp\n"
      "  .cfi_adjust_cfa_offset (%c[gap] - 8)\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  movq %%rdi, %%xmm0\n"  // vector, error code 0
      "  movq %%rsi, %%xmm1\n"
      "  pslldq $8, %%xmm1\n"  // fault address 0, payload
      "  jmp cte_x86_64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_interrupt_trap) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: [gap] "i"(frame_gap), [rax] "i"(offsetof(Frame, rax)));
  asm volatile(
      // --- cte_x86_64_thread_exit_trap: reached by the `ret` of a kcontext entry function,
      // whose return address it is (kcontext.hpp): the outermost frame of a kcontext thread.
      // RSP = S (16-byte aligned); the resume address recorded is this stub itself.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_RETURN_TARGET_BEGIN(cte_x86_64_thread_exit_trap, ".cfi_undefined %%rip\n")
      "  sub $%c[gap], %%rsp\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  mov $%c[exit_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"
      "  pxor %%xmm1, %%xmm1\n"
      "  lea cte_x86_64_thread_exit_trap(%%rip), %%rax\n"
      "  mov %%rax, (%c[gap] - 8)(%%rsp)\n"  // below S: the slot a call would have used
      "  jmp cte_x86_64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_thread_exit_trap) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: [gap] "i"(frame_gap), [rax] "i"(offsetof(Frame, rax)), [exit_vector] "i"(vector::thread_exit));
  // (clang-format would split the dispatcher's name)
  // clang-format off
  asm volatile(
      // --- The tail of the stubs other than yield: entered by a jump with RSP = frame.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_save_voluntary)
      "  .cfi_def_cfa_offset %c[gap]\n"
      CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH(CTE_X86_64_REGISTERS_AFTER_RAX, "cte_x86_64_trap_dispatch")
      CTE_ASM_FUNCTION_END(cte_x86_64_save_voluntary) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_SAVE_OPERANDS);
  // clang-format on
  asm volatile(
      // --- cte_x86_64_return_voluntary: RDI = RSP = the frame the stub saved, resumed by the
      // thread that trapped: `ret` pops the return-stack entry its call pushed, so the return
      // is predicted and the predictor stays in step with the thread's own returns. The return
      // address goes back into its slot at S-8: a handler may have moved the pc (set_pc).
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(
          cte_x86_64_return_voluntary) "  .cfi_def_cfa_offset %c[gap]\n"  // the stub's frame: CFA S, return address at S-8
      CTE_X86_64_LOAD_VOLUNTARY "  mov %c[rsp](%%rsp), %%rsp\n"
                                       "  .cfi_def_cfa %%rsp, 0\n"
                                       "  mov %%rdx, -8(%%rsp)\n"
                                       "  lea -8(%%rsp), %%rsp\n"
                                       "  .cfi_adjust_cfa_offset 8\n"
                                       "  mov %%rcx, %[enable_word]\n"  // the last act: from here on interrupts may be taken
                                       "  ret\n" CTE_ASM_FUNCTION_END(cte_x86_64_return_voluntary)
                                           CTE_ASM_REENTER_ENCLOSING_FRAME ::CTE_X86_64_RESTORE_OPERANDS);
  asm volatile(
      // --- cte_x86_64_resume_voluntary: RDI = another thread's voluntary frame. Jumps with
      // RSP = S to its resume address, predicted from this jmp's own history (a `ret` would be
      // mispredicted on every switch).
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(
          cte_x86_64_resume_voluntary) "  .cfi_undefined %%rip\n"  // a jump between threads: no caller until RSP is the thread's
      CTE_X86_64_LOAD_VOLUNTARY "  mov %c[rsp](%%rsp), %%rsp\n"
                                       "  .cfi_def_cfa %%rsp, 0\n"
                                       "  .cfi_register %%rip, %%rdx\n"
                                       "  mov %%rcx, %[enable_word]\n"  // the last act: from here on interrupts may be taken
                                       "  jmp *%%rdx\n" CTE_ASM_FUNCTION_END(cte_x86_64_resume_voluntary)
                                           CTE_ASM_REENTER_ENCLOSING_FRAME ::CTE_X86_64_RESTORE_OPERANDS);
  asm volatile(
      // --- cte_x86_64_resume_voluntary_popfq: RDI = a voluntary frame whose system flags differ
      // from the live ones (rare: DF, AC or TF set by the thread, or by a handler in the frame):
      // popfq sets them all, from the return-address slot at S-8 (dead, as everything below S).
      // It ends like resume_voluntary, for either kind of resume: a `ret` here would be
      // mispredicted for another thread, a `jmp` costs the thread that trapped one stale
      // return-stack entry; both only on this rare path.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(
          cte_x86_64_resume_voluntary_popfq) "  .cfi_undefined %%rip\n" CTE_X86_64_LOAD_VOLUNTARY
                                             "  mov %c[rflags](%%rsp), %%r8\n"  // (R8: dead at a call)
                                             "  mov %c[rsp](%%rsp), %%rsp\n"
                                             "  .cfi_def_cfa %%rsp, 0\n"
                                             "  .cfi_register %%rip, %%rdx\n"
                                             "  push %%r8\n"
                                             "  .cfi_adjust_cfa_offset 8\n"
                                             "  popfq\n"
                                             "  .cfi_adjust_cfa_offset -8\n"
                                             "  mov %%rcx, %[enable_word]\n"  // the last act (mov leaves the flags alone)
                                             "  jmp *%%rdx\n" CTE_ASM_FUNCTION_END(cte_x86_64_resume_voluntary_popfq)
                                                 CTE_ASM_REENTER_ENCLOSING_FRAME ::CTE_X86_64_RESTORE_OPERANDS);
  asm volatile(
      // --- cte_x86_64_resume_asynchronous: RDI = a frame saved at an arbitrary instruction:
      // every register, the whole FXSAVE image and, if it has one, the XSAVE area below it
      // (frame.hpp): XRSTOR loads every enabled component but x87 and SSE from the area (PKRU
      // too: like every register it is the thread's), then FXRSTOR the frame's own x87/SSE
      // state, which the handler may have edited (it leaves the upper halves alone). The red
      // zone below S may hold live data, so the window lies just below it, and `ret $red_zone`
      // jumps and moves RSP back up to S in one instruction. Once the window is set its call-frame information describes the
      // interrupted thread exactly, as a signal frame: its pc is not a return address.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_resume_asynchronous)
      "  .cfi_signal_frame\n"
      "  .cfi_undefined %%rip\n"  // a jump between threads: no caller until the window is set
      "  mov %c[xsave_area](%%rdi), %%rcx\n"
      "  test %%rcx, %%rcx\n"
      "  jz 1f\n"
      "  mov $~%c[legacy_components], %%eax\n"
      "  mov $-1, %%edx\n"
      "  xrstor64 (%%rcx)\n"
      "1:\n"
      "  mov %c[rsp](%%rdi), %%rax\n"  // S
      "  mov %c[library_state](%%rdi), %%ecx\n"
      "  and $%c[enabled_bit], %%ecx\n"
      "  mov %%rcx, (%c[window_enable] - %c[window] - %c[red_zone])(%%rax)\n"
      "  mov %%rdi, %%rsp\n"
      "  fxrstor64 %c[fpu](%%rsp)\n"
      "  mov %c[rip](%%rsp), %%rcx\n"
      "  mov %%rcx, (%c[window_rip] - %c[window] - %c[red_zone])(%%rax)\n"
      "  mov %c[rflags](%%rsp), %%rcx\n"
      "  mov %%rcx, (%c[window_rflags] - %c[window] - %c[red_zone])(%%rax)\n"
      "  mov %c[rax](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[window] + %c[red_zone])(%%rax)\n"
      CTE_X86_64_REGISTERS_AFTER_RAX(CTE_X86_64_LOAD_)
      "  lea -(%c[window] + %c[red_zone])(%%rax), %%rsp\n"
      ".cfi_def_cfa %%rsp, (%c[window] + %c[red_zone])\n"
      ".cfi_offset %%rip, (%c[window_rip] - %c[window] - %c[red_zone])\n"
      "  pop %%rax\n"
      "  .cfi_adjust_cfa_offset -8\n"
      "  popfq\n"
      "  .cfi_adjust_cfa_offset -8\n"
      "  popq %[enable_word]\n"  // the last act before the jump
      "  .cfi_adjust_cfa_offset -8\n"
      "  ret $%c[red_zone]\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_resume_asynchronous) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_REGISTER_OPERANDS CTE_X86_64_WINDOW_OPERANDS, [fpu] "i"(offsetof(Frame, fpu)),
      [red_zone] "i"(red_zone), [xsave_area] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, extended.area)),
      [legacy_components] "i"(xsave_legacy_components));
}

}  // namespace cte::x86_64
