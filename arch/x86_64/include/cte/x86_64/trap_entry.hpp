#pragma once
// x86_64 trap entry for voluntary traps (yield, syscall, kcontext thread exit) and the one
// restore path every resumed Context goes through. Each stub sits in its own COMDAT group so
// that any number of translation units may include this header.
//
// Frame placement: a thread whose stack pointer is S is described by a frame at
// S - frame_gap (16-byte aligned), which keeps S's 128-byte red zone and the 3-word restore
// window just below it untouched.

#include <cstddef>
#include <cstdint>

#include <cte/detail/runtime.hpp>
#include <cte/platform/hosted.hpp>
#include <cte/x86_64/decode.hpp>
#include <cte/x86_64/frame.hpp>

extern "C" {
void cte_x86_64_yield_trap();
long cte_x86_64_syscall_trap(long a0, long a1, long a2, long a3, long a4, long a5, long number);
void cte_x86_64_thread_exit_trap();
void cte_x86_64_interrupt_trap(std::uint64_t vector, std::uint64_t payload);
[[noreturn]] void cte_x86_64_restore(cte::x86_64::Frame *frame);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_trap_dispatch(cte::x86_64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}
// Called by the yield stub: a yield's Event is a constant (the stub still records the vector
// in the frame, for the Context's accessors and for fatal reports that decode it again).
[[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_yield_dispatch(cte::x86_64::Frame *frame) {
  cte::TargetPlatform::on_trap_entry(*frame);
  return cte::detail::dispatch_decoded_trap(frame, cte::x86_64::yield_event);
}
}

namespace cte::x86_64 {

// RFLAGS: the status flags (CF PF AF ZF SF OF), which ordinary instructions change; every other
// bit is a system flag (DF, TF, AC, ID, IF, IOPL, ...).
inline constexpr std::int64_t status_flags = 0x8d5;
inline constexpr int overflow_bit = 11;
inline constexpr std::int64_t overflow_flag = std::int64_t{1} << overflow_bit;

// Operands shared by the stubs: offsets of the frame fields (each asm statement takes <= 30).
#define CTE_X86_64_GPR_OPERANDS                                                                                 \
  [rax] "i"(offsetof(Frame, rax)), [rbx] "i"(offsetof(Frame, rbx)), [rcx] "i"(offsetof(Frame, rcx)),          \
      [rdx] "i"(offsetof(Frame, rdx)), [rsi] "i"(offsetof(Frame, rsi)), [rdi] "i"(offsetof(Frame, rdi)),       \
      [rbp] "i"(offsetof(Frame, rbp)), [r8] "i"(offsetof(Frame, r8)), [r9] "i"(offsetof(Frame, r9)),           \
      [r10] "i"(offsetof(Frame, r10)), [r11] "i"(offsetof(Frame, r11)), [r12] "i"(offsetof(Frame, r12)),       \
      [r13] "i"(offsetof(Frame, r13)), [r14] "i"(offsetof(Frame, r14)), [r15] "i"(offsetof(Frame, r15)),       \
      [rip] "i"(offsetof(Frame, rip)), [rsp] "i"(offsetof(Frame, rsp)), [rflags] "i"(offsetof(Frame, rflags))
#define CTE_X86_64_STATE_OPERANDS                                                                               \
  [library_state] "i"(offsetof(Frame, library.state)), [fpu] "i"(offsetof(Frame, fpu)),                       \
      [fcw] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, fcw)),                                             \
      [mxcsr] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, mxcsr)), [gap] "i"(frame_gap),                   \
      [red_zone] "i"(red_zone), [asynchronous] "i"(frame_state::asynchronous), [vector] "i"(offsetof(Frame, vector))

// Loads every GPR but RAX and RSP from the frame at RSP (the two paths of restore).
#define CTE_X86_64_LOAD_GPRS_BUT_RAX \
  "  mov %c[rbx](%%rsp), %%rbx\n"    \
  "  mov %c[rcx](%%rsp), %%rcx\n"    \
  "  mov %c[rdx](%%rsp), %%rdx\n"    \
  "  mov %c[rsi](%%rsp), %%rsi\n"    \
  "  mov %c[rdi](%%rsp), %%rdi\n"    \
  "  mov %c[rbp](%%rsp), %%rbp\n"    \
  "  mov %c[r8](%%rsp), %%r8\n"      \
  "  mov %c[r9](%%rsp), %%r9\n"      \
  "  mov %c[r10](%%rsp), %%r10\n"    \
  "  mov %c[r11](%%rsp), %%r11\n"    \
  "  mov %c[r12](%%rsp), %%r12\n"    \
  "  mov %c[r13](%%rsp), %%r13\n"    \
  "  mov %c[r14](%%rsp), %%r14\n"    \
  "  mov %c[r15](%%rsp), %%r15\n"

// RSP = a voluntary frame's window ([RSP] RAX, [RSP+8] RFLAGS, [RSP+16] RIP) at S-24: sets
// RFLAGS to the window's value without popfq (microcoded: it costs more than the rest of a
// voluntary restore), clobbering RAX. That works when only the status flags differ from the
// live ones, which is the rule: the system flags (DF, TF, AC, ID, ...) are the same in nearly
// every thread; otherwise it jumps to `slow`, which must pop RAX and then popfq. The status
// flags are set exactly: OF by an addition that overflows or not, then SF ZF AF PF CF by sahf
// (in 64-bit mode: CPUID LAHF-SAHF, which all but some of the earliest x86-64 CPUs have and
// the x86-64-v2 baseline requires). pushfq writes at S-40, below the window, which is dead at a call boundary.
#define CTE_X86_64_STATUS_FLAGS_FROM_WINDOW(slow)                                     \
  "  pushfq\n"                                                                          \
  "  pop %%rax\n"                                                                       \
  "  xor 8(%%rsp), %%rax\n"                                                             \
  "  test $%c[system_flags], %%rax\n"                                                   \
  "  jnz " #slow "f\n"                                                                  \
  "  mov 8(%%rsp), %%rax\n"                                                             \
  "  and $%c[overflow_flag], %%eax\n"                                                   \
  "  shl $(62 - %c[overflow_bit]), %%rax\n" /* OF -> bit 62, bit 63 clear */           \
  "  add %%rax, %%rax\n"                    /* signed overflow exactly if bit 62 set */ \
  "  movb 8(%%rsp), %%ah\n"                                                             \
  "  sahf\n"

// The shared tail of the voluntary stubs: RSP = frame, RAX stored, the interrupted thread's
// RSP is frame + gap and its resume address sits just below that. The trap cause comes in XMM0
// (vector, error code) and XMM1 (fault address, payload), free to use at a call (the ABI makes
// every XMM register caller-saved), and goes into the frame as two 16-byte stores: the
// dispatcher's decoder, as compilers vectorise it, reads these fields with 16-byte loads, and a
// load that spans two narrower stores made just before cannot be forwarded from the store buffer
// (it waits for them to reach the cache). Saves the rest of the frame, calls `dispatch` (a C
// function: frame in, frame to resume out) and resumes what it returns.
#define CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH(dispatch) \
  "  mov %%rbx, %c[rbx](%%rsp)\n"                                                                                  \
  "  mov %%rcx, %c[rcx](%%rsp)\n"                                                                                  \
  "  mov %%rdx, %c[rdx](%%rsp)\n"                                                                                  \
  "  mov %%rsi, %c[rsi](%%rsp)\n"                                                                                  \
  "  mov %%rdi, %c[rdi](%%rsp)\n"                                                                                  \
  "  mov %%rbp, %c[rbp](%%rsp)\n"                                                                                  \
  "  mov %%r8, %c[r8](%%rsp)\n"                                                                                    \
  "  mov %%r9, %c[r9](%%rsp)\n"                                                                                    \
  "  mov %%r10, %c[r10](%%rsp)\n"                                                                                  \
  "  mov %%r11, %c[r11](%%rsp)\n"                                                                                  \
  "  mov %%r12, %c[r12](%%rsp)\n"                                                                                  \
  "  mov %%r13, %c[r13](%%rsp)\n"                                                                                  \
  "  mov %%r14, %c[r14](%%rsp)\n"                                                                                  \
  "  mov %%r15, %c[r15](%%rsp)\n"                                                                                  \
  "  mov (%c[gap] - 8)(%%rsp), %%rax\n"                                                                            \
  "  mov %%rax, %c[rip](%%rsp)\n"                                                                                  \
  "  lea %c[gap](%%rsp), %%rax\n"                                                                                  \
  "  mov %%rax, %c[rsp](%%rsp)\n"                                                                                  \
  "  pushfq\n"                                                                                                     \
  "  popq %c[rflags](%%rsp)\n"                                                                                     \
  "  movaps %%xmm0, %c[vector](%%rsp)\n"                                                                           \
  "  movaps %%xmm1, %c[fault_address](%%rsp)\n"                                                                    \
  "  movq $0, %c[library_state](%%rsp)\n" /* clear "asynchronous": at a call only the FP control words are live */ \
  "  fnstcw %c[fcw](%%rsp)\n"                                                                                      \
  "  stmxcsr %c[mxcsr](%%rsp)\n"                                                                                   \
  "  mov %%rsp, %%rdi\n"                                                                                           \
  "  call " dispatch "\n"                                                                                          \
  "  mov %%rax, %%rdi\n"                                                                                           \
  "  jmp cte_x86_64_restore\n"

static_assert(frame_state::interrupts_enabled == 1, "restore pops (state & interrupts_enabled) as the enable word");

// The stubs store the trap cause as two 16-byte pairs (see CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH).
static_assert(offsetof(Frame, vector) % 16 == 0 && offsetof(Frame, error_code) == offsetof(Frame, vector) + 8);
static_assert(offsetof(Frame, fault_address) % 16 == 0 && offsetof(Frame, payload) == offsetof(Frame, fault_address) + 8);

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups inside make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_x86_64_yield_trap: a plain call; RSP = S-8 with the return address at [RSP].
      ".pushsection .text.cte_x86_64_yield_trap,\"axG\",@progbits,cte_x86_64_yield_trap,comdat\n"
      ".globl cte_x86_64_yield_trap\n.hidden cte_x86_64_yield_trap\n.type cte_x86_64_yield_trap,@function\n"
      "cte_x86_64_yield_trap:\n"
      "  sub $(%c[gap] - 8), %%rsp\n"  // RSP = frame
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  mov $%c[yield_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"  // vector, error code 0
      "  pxor %%xmm1, %%xmm1\n"  // fault address 0, payload 0
      // Its own copy of the tail: a yield's dispatcher knows the Event without decoding.
      CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH("cte_x86_64_yield_dispatch")
      ".size cte_x86_64_yield_trap, .-cte_x86_64_yield_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [yield_vector] "i"(vector::yield),
        [fault_address] "i"(offsetof(Frame, fault_address)));
  asm volatile(
      // --- cte_x86_64_syscall_trap(a0..a5, number): C call; the 7th argument is on the stack.
      // Re-shape into the syscall convention (number in RAX, 4th argument in R10) and trap.
      ".pushsection .text.cte_x86_64_syscall_trap,\"axG\",@progbits,cte_x86_64_syscall_trap,comdat\n"
      ".globl cte_x86_64_syscall_trap\n.hidden cte_x86_64_syscall_trap\n.type cte_x86_64_syscall_trap,@function\n"
      "cte_x86_64_syscall_trap:\n"
      "  mov 8(%%rsp), %%rax\n"
      "  mov %%rcx, %%r10\n"
      "  sub $(%c[gap] - 8), %%rsp\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  mov $%c[syscall_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"
      "  pxor %%xmm1, %%xmm1\n"
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_syscall_trap, .-cte_x86_64_syscall_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [yield_vector] "i"(vector::yield),
        [syscall_vector] "i"(vector::syscall), [exit_vector] "i"(vector::thread_exit),
        [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- cte_x86_64_interrupt_trap(vector, payload): C call. Delivers an interrupt that was
      // held pending while interrupts were disabled, at the point they are enabled again.
      ".pushsection .text.cte_x86_64_interrupt_trap,\"axG\",@progbits,cte_x86_64_interrupt_trap,comdat\n"
      ".globl cte_x86_64_interrupt_trap\n.hidden cte_x86_64_interrupt_trap\n"
      ".type cte_x86_64_interrupt_trap,@function\n"
      "cte_x86_64_interrupt_trap:\n"
      "  sub $(%c[gap] - 8), %%rsp\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  movq %%rdi, %%xmm0\n"  // vector, error code 0
      "  movq %%rsi, %%xmm1\n"
      "  pslldq $8, %%xmm1\n"  // fault address 0, payload
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_interrupt_trap, .-cte_x86_64_interrupt_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS,
      [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- Shared tail of the stubs other than yield (CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH).
      ".pushsection .text.cte_x86_64_save_voluntary,\"axG\",@progbits,cte_x86_64_save_voluntary,comdat\n"
      ".globl cte_x86_64_save_voluntary\n.hidden cte_x86_64_save_voluntary\n"
      ".type cte_x86_64_save_voluntary,@function\n"
      "cte_x86_64_save_voluntary:\n"
      CTE_X86_64_SAVE_VOLUNTARY_AND_DISPATCH("cte_x86_64_trap_dispatch")
      ".size cte_x86_64_save_voluntary, .-cte_x86_64_save_voluntary\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [error_code] "i"(offsetof(Frame, error_code)),
        [fault_address] "i"(offsetof(Frame, fault_address)), [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- cte_x86_64_thread_exit_trap: reached by the `ret` of a kcontext entry function.
      // RSP = S (already 16-byte aligned); the resume address is this stub itself.
      ".pushsection .text.cte_x86_64_thread_exit_trap,\"axG\",@progbits,cte_x86_64_thread_exit_trap,comdat\n"
      ".globl cte_x86_64_thread_exit_trap\n.hidden cte_x86_64_thread_exit_trap\n"
      ".type cte_x86_64_thread_exit_trap,@function\n"
      "cte_x86_64_thread_exit_trap:\n"
      "  sub $%c[gap], %%rsp\n"
      "  mov %%rax, %c[rax](%%rsp)\n"
      "  mov $%c[exit_vector], %%eax\n"
      "  movq %%rax, %%xmm0\n"
      "  pxor %%xmm1, %%xmm1\n"
      "  lea cte_x86_64_thread_exit_trap(%%rip), %%rax\n"
      "  mov %%rax, (%c[gap] - 8)(%%rsp)\n"  // below S: the slot a call would have used
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_thread_exit_trap, .-cte_x86_64_thread_exit_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [yield_vector] "i"(vector::yield),
        [syscall_vector] "i"(vector::syscall), [exit_vector] "i"(vector::thread_exit),
        [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- cte_x86_64_restore(frame): resume the thread a frame describes, with every register.
      // The frame may live on any stack. RIP, the interrupt-enable word, RFLAGS and RAX go to a
      // 4-word window on the resumed thread's stack, the rest is loaded, then RSP steps into the
      // window and pops. The enable word is popped into cte_hosted_interrupts_enabled as the
      // last act before the jump: until then interrupts stay held (the hosted rule for leaving
      // a trap, platform/hosted.hpp), and after it the thread's state is complete.
      ".pushsection .text.cte_x86_64_restore,\"axG\",@progbits,cte_x86_64_restore,comdat\n"
      ".globl cte_x86_64_restore\n.hidden cte_x86_64_restore\n.type cte_x86_64_restore,@function\n"
      "cte_x86_64_restore:\n"
      "  mov %c[rsp](%%rdi), %%rax\n"  // S: the resumed thread's stack pointer
      "  mov %c[library_state](%%rdi), %%rcx\n"
      "  mov %%ecx, %%edx\n"
      "  and $%c[enabled_bit], %%edx\n"  // the enable word the thread resumes with (bit 0)
      "  test $%c[asynchronous], %%ecx\n"
      "  jnz 4f\n"
      // --- Voluntary frame (yield, syscall, thread start, a held interrupt taken by iset):
      // the thread resumes at a call boundary. There, of the FP state only the control words
      // are live, and nothing below S is: the call itself wrote its return address into the
      // red zone. The window therefore goes at S-32..S.
      // The x87 control word is loaded only when it differs from the live one: fnstcw is cheap
      // on every CPU measured, fldcw is not on all (docs/PERFORMANCE.md). MXCSR is loaded
      // unconditionally: stmxcsr is the expensive direction. The live word goes below RSP,
      // which nothing else uses here (signals run on cte's stack).
      "  mov %%rdx, -16(%%rax)\n"
      "  fnstcw -8(%%rsp)\n"
      "  movzwl -8(%%rsp), %%ecx\n"
      "  cmp %%cx, %c[fcw](%%rdi)\n"
      "  je 1f\n"
      "  fldcw %c[fcw](%%rdi)\n"
      "1:\n"
      "  cmp %%rdi, %%rsp\n"  // ZF: a trap stub resumes the very frame it saved (its RSP is that frame)
      "  mov %%rdi, %%rsp\n"  // (nothing from here to the je below changes the flags)
      "  ldmxcsr %c[mxcsr](%%rsp)\n"
      "  mov %c[rip](%%rsp), %%rcx\n"
      "  mov %%rcx, -8(%%rax)\n"
      "  mov %c[rflags](%%rsp), %%rcx\n"
      "  mov %%rcx, -24(%%rax)\n"
      "  mov %c[rax](%%rsp), %%rcx\n"
      "  mov %%rcx, -32(%%rax)\n"
      CTE_X86_64_LOAD_GPRS_BUT_RAX
      "  lea -32(%%rax), %%rsp\n"  // the window: [RSP] RAX, [RSP+8] RFLAGS, [RSP+16] enable, [RSP+24] RIP
      "  je 5f\n"
      // Another thread than the one that trapped: jump with jmp, RSP = S, the resume address
      // read from S-8. A ret would be mispredicted on every switch (the return-stack predictor
      // expects the trapping thread's call site); this jmp is predicted from its history.
      // Reading below RSP is safe here: S-8 lies in the red zone, which Linux skips when it
      // delivers a signal on this stack, and an interrupt taken after the enable word is set
      // builds its frame below the red zone.
      CTE_X86_64_STATUS_FLAGS_FROM_WINDOW(6)
      "  pop %%rax\n"
      "  lea 8(%%rsp), %%rsp\n"  // (lea and pop leave the flags alone)
      "  popq %[enable_word]\n"
      "  lea 8(%%rsp), %%rsp\n"  // RSP = S
      "  jmp *-8(%%rsp)\n"
      "6:\n"
      "  pop %%rax\n"
      "  popfq\n"
      "  popq %[enable_word]\n"
      "  lea 8(%%rsp), %%rsp\n"
      "  jmp *-8(%%rsp)\n"
      // The thread that trapped: ret, which pops the return-stack entry its call pushed and is
      // predicted, and keeps that predictor in step for the thread's own returns.
      "5:\n"
      CTE_X86_64_STATUS_FLAGS_FROM_WINDOW(7)
      "  pop %%rax\n"
      "  lea 8(%%rsp), %%rsp\n"
      "  popq %[enable_word]\n"
      "  ret\n"
      "7:\n"
      "  pop %%rax\n"
      "  popfq\n"
      "  popq %[enable_word]\n"
      "  ret\n"
      // --- Asynchronous frame (saved at an arbitrary instruction): every register. The red
      // zone below S may hold live data, so the window lies just below it, and `ret $128`
      // jumps and moves RSP back up to S in one instruction.
      "4:\n"
      "  mov %%rdi, %%rsp\n"
      "  fxrstor64 %c[fpu](%%rsp)\n"
      "  mov %c[rip](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 8)(%%rax)\n"
      "  mov %%rdx, -(%c[red_zone] + 16)(%%rax)\n"
      "  mov %c[rflags](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 24)(%%rax)\n"
      "  mov %c[rax](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 32)(%%rax)\n"
      CTE_X86_64_LOAD_GPRS_BUT_RAX
      "  lea -(%c[red_zone] + 32)(%%rax), %%rsp\n"
      "  pop %%rax\n"
      "  popfq\n"
      "  popq %[enable_word]\n"
      "  ret $%c[red_zone]\n"
      ".size cte_x86_64_restore, .-cte_x86_64_restore\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, [library_state] "i"(offsetof(Frame, library.state)),
      [fpu] "i"(offsetof(Frame, fpu)), [fcw] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, fcw)),
      [mxcsr] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, mxcsr)), [red_zone] "i"(red_zone),
      [asynchronous] "i"(frame_state::asynchronous), [system_flags] "i"(~status_flags),
      [overflow_flag] "i"(overflow_flag), [overflow_bit] "i"(overflow_bit),
      [enable_word] "m"(cte_hosted_interrupts_enabled), [enabled_bit] "i"(frame_state::interrupts_enabled));
}

}  // namespace cte::x86_64
