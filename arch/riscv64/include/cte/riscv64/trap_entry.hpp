#pragma once
// riscv64 trap entry for voluntary traps (yield, syscall, kcontext thread exit, a held-back
// interrupt delivered at iset(true)) and the one restore path every resumed Context goes
// through. Each stub sits in its own COMDAT group so
// that any number of translation units may include this header.
//
// Hosted, a voluntary trap is a plain function call, not `ecall` (that would be a Linux system
// call). The stubs record what a bare-metal ecall from U-mode would: cause = ecall_from_u,
// a7 = ecall_a7::yield / ecall_a7::thread_exit / the syscall number, and pc = the return
// address, i.e. already past the trap (as the library advances epc past an ecall). The
// interrupt trap records the interrupt's cause instead, with the same pc.
//
// Frame placement: a thread whose stack pointer is S is described by a frame at
// frame_below(S) = S - sizeof(Frame). The psABI has no red zone, so nothing below S is live.
// Trap entry moves sp down to the frame before storing into it, and restore keeps sp at the
// frame until the last load from it: the frame is never below sp while it is in use, so a
// signal arriving in a stub cannot overwrite it.

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/riscv64/frame.hpp>

#if !defined(__riscv_float_abi_double)
#error "the cte riscv64 port needs the lp64d ABI (RV64GC): frames carry the D registers and fcsr"
#endif

extern "C" {
void cte_riscv64_yield_trap();
long cte_riscv64_syscall_trap(long a0, long a1, long a2, long a3, long a4, long a5, long number);
void cte_riscv64_thread_exit_trap();
// A voluntary trap with an interrupt's cause: delivers an interrupt that was held pending while
// interrupts were disabled (hosted iset(true)). The arguments are the frame's cause fields.
void cte_riscv64_interrupt_trap(std::uint64_t cause, std::uint64_t tval, std::uint64_t irq_id_valid,
                                std::uint64_t irq_id);
[[noreturn]] void cte_riscv64_restore(cte::riscv64::Frame *frame);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_trap_dispatch(cte::riscv64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}

// Resumes a frame with frame_state::asynchronous set, every register exact: the one call
// from cte_riscv64_restore (label 1 there) goes to cte_riscv64_resume_asynchronous, which
// the platform defines. Hosted: hosted_signal.hpp holds the interrupt signals back and hands
// the frame to cte_hosted_resume_asynchronous (include/cte/platform/hosted_traps.hpp), whose
// signal's sigreturn loads every register. Bare metal will load them and sret/mret instead.
[[noreturn]] void cte_riscv64_resume_asynchronous(cte::riscv64::Frame *frame);
[[noreturn]] void cte_hosted_resume_asynchronous(cte::riscv64::Frame *frame);
}

namespace cte::riscv64 {

// Register-number lists for the assembler's .irp loops: register n lives at x[n] / f[n].
// Every GPR a voluntary trap saves: all but x0 (zero) and x2 (sp, stored as the caller's sp).
#define CTE_RISCV64_SAVED_GPRS "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
// Every GPR a voluntary restore loads: as above without x30 and x31 (t5, t6: the restore's
// scratch registers, dead at the call that trapped).
#define CTE_RISCV64_RESTORED_GPRS "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29"
// Callee-saved FP registers: fs0-fs1 (f8-f9), fs2-fs11 (f18-f27).
#define CTE_RISCV64_CALLEE_SAVED_FPRS "8,9,18,19,20,21,22,23,24,25,26,27"
#define CTE_RISCV64_ALL_FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

static_assert(reg::restore_scratch == 31, "CTE_RISCV64_RESTORED_GPRS leaves out x31 and the asm jumps through t6");

// Operands shared by the stubs: offsets of the frame fields (each asm statement takes <= 30).
#define CTE_RISCV64_FRAME_OPERANDS                                                                                  \
  [x] "i"(offsetof(Frame, x)), [f] "i"(offsetof(Frame, f)), [word] "i"(sizeof(std::uint64_t)),                    \
      [pc] "i"(offsetof(Frame, pc)), [cause] "i"(offsetof(Frame, cause)), [tval] "i"(offsetof(Frame, tval)),       \
      [status] "i"(offsetof(Frame, status)), [library_state] "i"(offsetof(Frame, library.state)),                  \
      [fcsr] "i"(offsetof(Frame, fcsr)), [frame_size] "i"(sizeof(Frame)), [sp_slot] "i"(gpr_offset(reg::sp)),      \
      [irq_id] "i"(offsetof(Frame, irq_id)), [irq_id_valid] "i"(offsetof(Frame, irq_id_valid)),                   \
      [asynchronous] "i"(frame_state::asynchronous), [enabled_bit] "i"(frame_state::interrupts_enabled), [ecall_u] "i"(cause::ecall_from_u),                          \
      [yield_a7] "i"(static_cast<std::int64_t>(ecall_a7::yield)),                                                 \
      [exit_a7] "i"(static_cast<std::int64_t>(ecall_a7::thread_exit))

static_assert(frame_state::asynchronous < 2048, "andi takes a 12-bit immediate");

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups inside make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_riscv64_yield_trap: a plain call; ra = resume address, sp = S.
      // Make room for the frame below S, mark the trap as yield (a7 is dead at a call) and
      // save the rest in the shared tail.
      ".pushsection .text.cte_riscv64_yield_trap,\"axG\",@progbits,cte_riscv64_yield_trap,comdat\n"
      ".globl cte_riscv64_yield_trap\n.hidden cte_riscv64_yield_trap\n.type cte_riscv64_yield_trap,@function\n"
      "cte_riscv64_yield_trap:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  li a7, %[yield_a7]\n"
      "  tail cte_riscv64_save_voluntary\n"
      ".size cte_riscv64_yield_trap, .-cte_riscv64_yield_trap\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_syscall_trap(a0..a5, number): C call, the number arrives in a6.
      // Re-shape into the syscall convention (number in a7) and trap.
      ".pushsection .text.cte_riscv64_syscall_trap,\"axG\",@progbits,cte_riscv64_syscall_trap,comdat\n"
      ".globl cte_riscv64_syscall_trap\n.hidden cte_riscv64_syscall_trap\n.type cte_riscv64_syscall_trap,@function\n"
      "cte_riscv64_syscall_trap:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  mv a7, a6\n"
      "  tail cte_riscv64_save_voluntary\n"
      ".size cte_riscv64_syscall_trap, .-cte_riscv64_syscall_trap\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_thread_exit_trap: reached by the `ret` of a kcontext entry function
      // (its ra). sp = S, the thread's initial stack pointer. The resume address recorded is
      // this stub itself; the dispatcher refuses to resume such a frame anyway.
      ".pushsection .text.cte_riscv64_thread_exit_trap,\"axG\",@progbits,cte_riscv64_thread_exit_trap,comdat\n"
      ".globl cte_riscv64_thread_exit_trap\n.hidden cte_riscv64_thread_exit_trap\n"
      ".type cte_riscv64_thread_exit_trap,@function\n"
      "cte_riscv64_thread_exit_trap:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  li a7, %[exit_a7]\n"
      "  lla ra, cte_riscv64_thread_exit_trap\n"
      "  tail cte_riscv64_save_voluntary\n"
      ".size cte_riscv64_thread_exit_trap, .-cte_riscv64_thread_exit_trap\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_interrupt_trap(cause, tval, irq_id_valid, irq_id): C call; a0-a3 hold
      // the cause fields, which go straight into the frame. The interrupted thread resumes at
      // the return address, like after any other voluntary trap.
      ".pushsection .text.cte_riscv64_interrupt_trap,\"axG\",@progbits,cte_riscv64_interrupt_trap,comdat\n"
      ".globl cte_riscv64_interrupt_trap\n.hidden cte_riscv64_interrupt_trap\n"
      ".type cte_riscv64_interrupt_trap,@function\n"
      "cte_riscv64_interrupt_trap:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  sd a0, %[cause](sp)\n"
      "  sd a1, %[tval](sp)\n"
      "  sd a2, %[irq_id_valid](sp)\n"
      "  sd a3, %[irq_id](sp)\n"
      "  tail cte_riscv64_save_voluntary_caused\n"
      ".size cte_riscv64_interrupt_trap, .-cte_riscv64_interrupt_trap\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- Shared tail of the stubs above: sp = frame, ra = resume address, the thread's stack
      // pointer is frame + sizeof(Frame). (Whatever the stubs put in caller-saved registers,
      // a7 and the temporary the `tail` jump used, is dead at the call that trapped.)
      // cte_riscv64_save_voluntary: an ecall-shaped trap (a7 = what it is for); records
      // cause = ecall_from_u. cte_riscv64_save_voluntary_caused: the stub already wrote cause,
      // tval and irq_id(_valid).
      // Saves every GPR (the handler reads arguments from them), the callee-saved FP
      // registers and fcsr; library_state = 0 (asynchronous clear: the trap is a call).
      // Then dispatches on this stack and resumes whatever frame the handler chose.
      ".pushsection .text.cte_riscv64_save_voluntary,\"axG\",@progbits,cte_riscv64_save_voluntary,comdat\n"
      ".globl cte_riscv64_save_voluntary\n.hidden cte_riscv64_save_voluntary\n"
      ".globl cte_riscv64_save_voluntary_caused\n.hidden cte_riscv64_save_voluntary_caused\n"
      ".type cte_riscv64_save_voluntary,@function\n"
      "cte_riscv64_save_voluntary:\n"
      "  sd t0, (%[x] + 5 * %[word])(sp)\n"
      "  li t0, %[ecall_u]\n"
      "  sd t0, %[cause](sp)\n"
      "  ld t0, (%[x] + 5 * %[word])(sp)\n"
      "  sd zero, %[tval](sp)\n"
      "  sd zero, %[irq_id_valid](sp)\n"
      "  sd zero, %[irq_id](sp)\n"
      "cte_riscv64_save_voluntary_caused:\n"
      "  .irp n," CTE_RISCV64_SAVED_GPRS "\n"
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  sd ra, %[pc](sp)\n"
      "  addi t0, sp, %[frame_size]\n"
      "  sd t0, %[sp_slot](sp)\n"
      "  sd zero, %[status](sp)\n"
      "  sd zero, %[library_state](sp)\n"
      "  .irp n," CTE_RISCV64_CALLEE_SAVED_FPRS "\n"
      "  fsd f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  frcsr t0\n"
      "  sd t0, %[fcsr](sp)\n"
      "  mv a0, sp\n"
      "  call cte_riscv64_trap_dispatch\n"
      "  tail cte_riscv64_restore\n"
      ".size cte_riscv64_save_voluntary, .-cte_riscv64_save_voluntary\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_restore(frame = a0): resume the thread a frame describes. The frame may
      // live on any stack; sp stays at the frame until the last load from it.
      // Voluntary frame: fs0-fs11, fcsr, then every GPR but t6; t6 takes the pc, sp is loaded
      // last, and the jump goes through t6 (the one register a voluntary resume clobbers).
      // Asynchronous frame: every register must come back, t6 included, which a jump through
      // a register cannot do; see label 1.
      ".pushsection .text.cte_riscv64_restore,\"axG\",@progbits,cte_riscv64_restore,comdat\n"
      ".globl cte_riscv64_restore\n.hidden cte_riscv64_restore\n.type cte_riscv64_restore,@function\n"
      "cte_riscv64_restore:\n"
      "  mv sp, a0\n"
      "  ld t0, %[library_state](sp)\n"
      "  andi t0, t0, %[asynchronous]\n"
      "  bnez t0, 1f\n"
      "  .irp n," CTE_RISCV64_CALLEE_SAVED_FPRS "\n"
      "  fld f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  ld t0, %[fcsr](sp)\n"
      "  fscsr t0\n"
      "  .irp n," CTE_RISCV64_RESTORED_GPRS "\n"
      "  ld x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  ld t6, %[pc](sp)\n"
      "  ld t5, %[library_state](sp)\n"
      "  ld sp, %[sp_slot](sp)\n"
      // The last act: set the hosted interrupt-enable word if the frame runs with interrupts
      // enabled (any nonzero value: its own address), then jump. The word is clear until here
      // (platform/hosted.hpp).
      "  andi t5, t5, %[enabled_bit]\n"
      "  beqz t5, 2f\n"
      "  lla t5, cte_hosted_interrupts_enabled\n"
      "  sd t5, 0(t5)\n"
      "2:\n"
      "  jr t6\n"
      "1:\n"
      // THE exact-resume point (the only one): a0 = sp = the frame, 16-byte aligned; the callee
      // runs below the frame and never returns. Hosted: cte_riscv64_resume_asynchronous ->
      // cte_hosted_resume_asynchronous, the kernel's sigreturn loads every register from the
      // frame. Bare metal replaces this call with loading every register from the frame and
      // sret/mret (sepc/mepc = the frame's pc).
      "  mv a0, sp\n"
      "  call cte_riscv64_resume_asynchronous\n"
      "  unimp\n"
      ".size cte_riscv64_restore, .-cte_riscv64_restore\n"
      ".popsection\n" ::CTE_RISCV64_FRAME_OPERANDS);
}

}  // namespace cte::riscv64
