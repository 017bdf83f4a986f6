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
}

namespace cte::x86_64 {

// Operands shared by the stubs: offsets of the frame fields (each asm statement takes <= 30).
#define CTE_X86_64_GPR_OPERANDS                                                                                 \
  [rax] "i"(offsetof(Frame, rax)), [rbx] "i"(offsetof(Frame, rbx)), [rcx] "i"(offsetof(Frame, rcx)),          \
      [rdx] "i"(offsetof(Frame, rdx)), [rsi] "i"(offsetof(Frame, rsi)), [rdi] "i"(offsetof(Frame, rdi)),       \
      [rbp] "i"(offsetof(Frame, rbp)), [r8] "i"(offsetof(Frame, r8)), [r9] "i"(offsetof(Frame, r9)),           \
      [r10] "i"(offsetof(Frame, r10)), [r11] "i"(offsetof(Frame, r11)), [r12] "i"(offsetof(Frame, r12)),       \
      [r13] "i"(offsetof(Frame, r13)), [r14] "i"(offsetof(Frame, r14)), [r15] "i"(offsetof(Frame, r15)),       \
      [rip] "i"(offsetof(Frame, rip)), [rsp] "i"(offsetof(Frame, rsp)), [rflags] "i"(offsetof(Frame, rflags))
#define CTE_X86_64_STATE_OPERANDS                                                                               \
  [library_state] "i"(offsetof(Frame, library_state)), [fpu] "i"(offsetof(Frame, fpu)),                       \
      [fcw] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, fcw)),                                             \
      [mxcsr] "i"(offsetof(Frame, fpu) + offsetof(FxsaveArea, mxcsr)), [gap] "i"(frame_gap),                   \
      [red_zone] "i"(red_zone), [asynchronous] "i"(frame_state::asynchronous), [vector] "i"(offsetof(Frame, vector))

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
      "  movq $%c[yield_vector], %c[vector](%%rsp)\n"
      "  movq $0, %c[payload](%%rsp)\n"
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_yield_trap, .-cte_x86_64_yield_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [yield_vector] "i"(vector::yield),
        [syscall_vector] "i"(vector::syscall), [exit_vector] "i"(vector::thread_exit),
        [payload] "i"(offsetof(Frame, payload)));
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
      "  movq $%c[syscall_vector], %c[vector](%%rsp)\n"
      "  movq $0, %c[payload](%%rsp)\n"
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
      "  mov %%rdi, %c[vector](%%rsp)\n"
      "  mov %%rsi, %c[payload](%%rsp)\n"
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_interrupt_trap, .-cte_x86_64_interrupt_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS,
      [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- Shared tail of the two stubs above: RSP = frame, RAX and vector stored, the
      // interrupted thread's RSP is frame + gap and its resume address sits just below that.
      ".pushsection .text.cte_x86_64_save_voluntary,\"axG\",@progbits,cte_x86_64_save_voluntary,comdat\n"
      ".globl cte_x86_64_save_voluntary\n.hidden cte_x86_64_save_voluntary\n"
      ".type cte_x86_64_save_voluntary,@function\n"
      "cte_x86_64_save_voluntary:\n"
      "  mov %%rbx, %c[rbx](%%rsp)\n"
      "  mov %%rcx, %c[rcx](%%rsp)\n"
      "  mov %%rdx, %c[rdx](%%rsp)\n"
      "  mov %%rsi, %c[rsi](%%rsp)\n"
      "  mov %%rdi, %c[rdi](%%rsp)\n"
      "  mov %%rbp, %c[rbp](%%rsp)\n"
      "  mov %%r8, %c[r8](%%rsp)\n"
      "  mov %%r9, %c[r9](%%rsp)\n"
      "  mov %%r10, %c[r10](%%rsp)\n"
      "  mov %%r11, %c[r11](%%rsp)\n"
      "  mov %%r12, %c[r12](%%rsp)\n"
      "  mov %%r13, %c[r13](%%rsp)\n"
      "  mov %%r14, %c[r14](%%rsp)\n"
      "  mov %%r15, %c[r15](%%rsp)\n"
      "  mov (%c[gap] - 8)(%%rsp), %%rax\n"
      "  mov %%rax, %c[rip](%%rsp)\n"
      "  lea %c[gap](%%rsp), %%rax\n"
      "  mov %%rax, %c[rsp](%%rsp)\n"
      "  pushfq\n"
      "  popq %c[rflags](%%rsp)\n"
      "  xor %%eax, %%eax\n"
      "  mov %%rax, %c[error_code](%%rsp)\n"
      "  mov %%rax, %c[fault_address](%%rsp)\n"
      "  mov %%rax, %c[library_state](%%rsp)\n"  // asynchronous clear: a call keeps only the control words
      "  fnstcw %c[fcw](%%rsp)\n"
      "  stmxcsr %c[mxcsr](%%rsp)\n"
      "  mov %%rsp, %%rdi\n"
      "  call cte_x86_64_trap_dispatch\n"
      "  mov %%rax, %%rdi\n"
      "  jmp cte_x86_64_restore\n"
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
      "  movq $%c[exit_vector], %c[vector](%%rsp)\n"
      "  movq $0, %c[payload](%%rsp)\n"
      "  lea cte_x86_64_thread_exit_trap(%%rip), %%rax\n"
      "  mov %%rax, (%c[gap] - 8)(%%rsp)\n"  // below S: the slot a call would have used
      "  jmp cte_x86_64_save_voluntary\n"
      ".size cte_x86_64_thread_exit_trap, .-cte_x86_64_thread_exit_trap\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS, [yield_vector] "i"(vector::yield),
        [syscall_vector] "i"(vector::syscall), [exit_vector] "i"(vector::thread_exit),
        [payload] "i"(offsetof(Frame, payload)));
  asm volatile(
      // --- cte_x86_64_restore(frame): resume the thread a frame describes, with every register.
      // The frame may live on any stack. RIP, RFLAGS and RAX go to the window below the thread's
      // red zone, the rest is loaded, then RSP steps into the window and pops them.
      ".pushsection .text.cte_x86_64_restore,\"axG\",@progbits,cte_x86_64_restore,comdat\n"
      ".globl cte_x86_64_restore\n.hidden cte_x86_64_restore\n.type cte_x86_64_restore,@function\n"
      "cte_x86_64_restore:\n"
      "  mov %%rdi, %%rsp\n"
      "  testq $%c[asynchronous], %c[library_state](%%rsp)\n"
      "  jz 1f\n"
      "  fxrstor64 %c[fpu](%%rsp)\n"
      "  jmp 2f\n"
      "1:\n"
      "  fldcw %c[fcw](%%rsp)\n"
      "  ldmxcsr %c[mxcsr](%%rsp)\n"
      "2:\n"
      "  mov %c[rsp](%%rsp), %%rax\n"
      "  mov %c[rip](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 8)(%%rax)\n"
      "  mov %c[rflags](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 16)(%%rax)\n"
      "  mov %c[rax](%%rsp), %%rcx\n"
      "  mov %%rcx, -(%c[red_zone] + 24)(%%rax)\n"
      "  mov %c[rbx](%%rsp), %%rbx\n"
      "  mov %c[rcx](%%rsp), %%rcx\n"
      "  mov %c[rdx](%%rsp), %%rdx\n"
      "  mov %c[rsi](%%rsp), %%rsi\n"
      "  mov %c[rdi](%%rsp), %%rdi\n"
      "  mov %c[rbp](%%rsp), %%rbp\n"
      "  mov %c[r8](%%rsp), %%r8\n"
      "  mov %c[r9](%%rsp), %%r9\n"
      "  mov %c[r10](%%rsp), %%r10\n"
      "  mov %c[r11](%%rsp), %%r11\n"
      "  mov %c[r12](%%rsp), %%r12\n"
      "  mov %c[r13](%%rsp), %%r13\n"
      "  mov %c[r14](%%rsp), %%r14\n"
      "  mov %c[r15](%%rsp), %%r15\n"
      "  lea -(%c[red_zone] + 24)(%%rax), %%rsp\n"
      "  pop %%rax\n"
      "  popfq\n"
      "  ret $%c[red_zone]\n"
      ".size cte_x86_64_restore, .-cte_x86_64_restore\n"
      ".popsection\n" :: CTE_X86_64_GPR_OPERANDS, CTE_X86_64_STATE_OPERANDS);
}

}  // namespace cte::x86_64
