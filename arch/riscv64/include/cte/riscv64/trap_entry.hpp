#pragma once
// riscv64 hosted trap entry for voluntary traps (yield, syscall, kcontext thread exit, a
// held-back interrupt delivered at iset(true)) and the restores every resumed Context goes
// through. Every stub is a function of the asm vocabulary (cte/detail/asm.hpp): its own COMDAT
// group, so any number of translation units may include this header, and call-frame
// information, so a debugger walks from a handler back into the code that trapped.
//
// Stacks while a voluntary trap is handled (addresses grow upwards):
//
//   thread's stack                                 the handler's view
//   +-----------------------------+ <- S           sp of the thread (16-byte aligned: a call)
//   | Frame                       |                = CFA of the save stub
//   |   fcsr, f[0..31]            |                f: fs0-fs11 only (voluntary)
//   |   library (state, stack)    |                state 0: voluntary
//   |   irq_id(_valid), status    |
//   |   cause, tval, pc           |                pc = the return address
//   |   x[31..1]  (x[2] = S)      |                yield: ra, gp, tp, s0-s11 only
//   +-----------------------------+ <- Isa::frame_below(S) = S - sizeof(Frame) = sp of the stubs
//   | dispatcher, handler frames  |
//   v                             v
//
// What a voluntary frame holds: a voluntary trap is a call, so only what a call keeps is live
// in the thread (ra, sp, gp, tp, s0-s11, fs0-fs11, fcsr) besides the trap's own arguments.
// - cte_riscv64_yield_trap stores exactly that (ra also as the pc) and its trap record; the
//   caller-saved slots are left as they are (a yield's Context::arg is unspecified). Its
//   dispatcher passes the constant yield Event as stored, without decoding.
// - The syscall, thread-exit and held-interrupt stubs store every GPR (a syscall's frame
//   carries its number and arguments) through cte_riscv64_save_voluntary.
// - cte_riscv64_restore_voluntary loads what a call keeps, ra (a fresh kcontext frame's is
//   the thread-exit stub) and a0 (a syscall's return value, Context::set_return), never the
//   other caller-saved registers: a handler's writes to them do not reach the thread, which
//   treats them as clobbered by its call. A fresh kcontext frame needs nothing else (its
//   argument is a0), so it stays voluntary.
//
// Which restore runs is decided once, in the save stub after the dispatcher returns:
// cte_riscv64_restore_voluntary (loads, then jumps through t6) or
// cte_riscv64_restore_asynchronous (the platform's exact resume).
//
// Hosted, a voluntary trap is a plain function call, not `ecall` (that would be a Linux system
// call). The stubs record what a bare-metal ecall from U-mode would: cause = ecall_from_u,
// tval = the voluntary_trap marker (0 for a system call, whose number is in a7; yield and
// thread exit are marked there, never in a register: cte/voluntary_trap.hpp), pc = the return
// address, i.e. already past the trap (as the library advances epc past an ecall). The
// interrupt trap records the interrupt's cause instead, with the same pc.
//
// Frame placement: a thread whose stack pointer is S is described by a frame at
// Isa::frame_below(S). The psABI has no red zone, so nothing below S is live. Trap entry moves
// sp down to the frame before storing into it, and restore keeps sp at the frame until the
// last load from it: the frame is never below sp while it is in use, so a signal arriving in a
// stub cannot overwrite it.

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/riscv64/decode.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/frame_registers.hpp>
#include <cte/riscv64/isa.hpp>
#include <cte/voluntary_trap.hpp>

#if !defined(__riscv_float_abi_double)
#error "the cte riscv64 port needs the lp64d ABI (RV64GC): frames carry the D registers and fcsr"
#endif

namespace cte::riscv64 {
// What cte::yield() traps with, decoded once at compile time: an ecall from U-mode marked
// yield, as the yield stub records it (its dispatcher passes this Event as stored).
inline constexpr BasicEvent<Isa> hosted_yield_event =
    decode(TrapCause{.cause = cause::ecall_from_u, .tval = voluntary_trap::yield});
}  // namespace cte::riscv64

extern "C" {
void cte_riscv64_yield_trap();
std::uint64_t cte_riscv64_syscall_trap(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                       std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
void cte_riscv64_thread_exit_trap();
// A voluntary trap with an interrupt's cause: delivers an interrupt that was held pending while
// interrupts were disabled (hosted iset(true)). The arguments are the frame's cause fields.
void cte_riscv64_interrupt_trap(std::uint64_t cause, std::uint64_t tval, std::uint64_t irq_id_valid,
                                std::uint64_t irq_id);
// The two restores: a frame with frame_state::asynchronous clear / set.
[[noreturn]] void cte_riscv64_restore_voluntary(cte::riscv64::Frame *frame);
[[noreturn]] void cte_riscv64_restore_asynchronous(cte::riscv64::Frame *frame);

// Called by the stubs with the frame they saved; returns the frame to resume.
[[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_trap_dispatch(cte::riscv64::Frame *frame) {
  return cte::detail::dispatch_trap(frame);
}
// Called by the yield stub: a yield's Event is a constant (the stub still records the trap in
// the frame, for the Context's accessors and for fatal reports that decode it again).
[[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_yield_dispatch(cte::riscv64::Frame *frame) {
  cte::TargetPlatform::on_trap_entry(*frame);
  return cte::detail::dispatch_decoded_trap</*stored_event=*/true>(frame, cte::riscv64::hosted_yield_event);
}

// Resumes a frame with frame_state::asynchronous set, every register exact (t6 included,
// which a jump through a register cannot give back): the signal layer's sigreturn loads every
// register (include/cte/platform/hosted_traps.hpp). Called by cte_riscv64_restore_asynchronous.
[[noreturn]] void cte_hosted_resume_asynchronous(cte::riscv64::Frame *frame);
}

namespace cte::riscv64 {

// Operands shared by the stubs: offsets of the frame fields (each asm statement takes <= 30).
#define CTE_RISCV64_FRAME_OPERANDS                                                                            \
  [x] "i"(offsetof(Frame, x)), [f] "i"(offsetof(Frame, f)), [word] "i"(sizeof(std::uint64_t)),                \
      [pc] "i"(offsetof(Frame, pc)), [cause] "i"(offsetof(Frame, cause)), [tval] "i"(offsetof(Frame, tval)),  \
      [status] "i"(offsetof(Frame, status)), [library_state] "i"(offsetof(Frame, library.state)),             \
      [fcsr] "i"(offsetof(Frame, fcsr)), [frame_size] "i"(sizeof(Frame)), [sp_slot] "i"(gpr_offset(reg::sp)), \
      [irq_id] "i"(offsetof(Frame, irq_id)), [irq_id_valid] "i"(offsetof(Frame, irq_id_valid)),               \
      [asynchronous] "i"(frame_state::asynchronous), [enabled_bit] "i"(frame_state::interrupts_enabled),      \
      [ecall_u] "i"(cause::ecall_from_u), [yield_marker] "i"(voluntary_trap::yield),                          \
      [exit_marker] "i"(voluntary_trap::thread_exit)

static_assert(frame_state::asynchronous < 2048 && frame_state::interrupts_enabled < 2048,
              "andi takes a 12-bit immediate");

// Call-frame information of a stub whose sp is the frame (CFA = sp + sizeof(Frame), the
// thread's sp): where the registers a call keeps (ra, gp, tp, s0-s11, fs0-fs11) are saved, so
// the unwinder gives the trapping function its own values back.
#define CTE_RISCV64_CFI_SAVED_KEPT_REGISTERS                  \
  "  .cfi_offset ra, %[x] + " CTE_RISCV64_GPRS_RA             \
  " * %[word] - %[frame_size]\n"                              \
  "  .irp n," CTE_RISCV64_KEPT_GPRS                           \
  "\n"                                                        \
  "  .cfi_offset \\n, %[x] + \\n * %[word] - %[frame_size]\n" \
  "  .endr\n"                                                 \
  "  .irp n," CTE_RISCV64_KEPT_FPRS                           \
  "\n"                                                        \
  "  .cfi_offset " CTE_RISCV64_DWARF_FPR_BASE                 \
  " + \\n, %[f] + \\n * %[word] - %[frame_size]\n"            \
  "  .endr\n"

// The GPRs the yield stub stores (ra, then what a call keeps) and those the voluntary restore
// loads (the same and a0, the return value): frame_registers.hpp's groups.
#define CTE_RISCV64_YIELD_GPRS CTE_RISCV64_GPRS_RA "," CTE_RISCV64_KEPT_GPRS
#define CTE_RISCV64_RESUMED_GPRS CTE_RISCV64_GPRS_RA "," CTE_RISCV64_GPRS_A0 "," CTE_RISCV64_KEPT_GPRS

// The shared tail of the voluntary stubs: sp = the frame, its cause fields written, ra = the
// resume address; the thread's stack pointer is frame + sizeof(Frame). Stores the GPRs of the
// .irp list GPRS (every one the stub keeps besides sp; then t0 is free: dead at a call), the
// pc, sp, the callee-saved FP registers and fcsr; library_state = 0 (asynchronous clear: the
// trap is a call). Then calls `dispatch` on this stack (a C function: frame in, frame to
// resume out) and takes the restore the resumed frame needs.
#define CTE_RISCV64_SAVE_VOLUNTARY_AND_DISPATCH(GPRS, dispatch) \
  "  .irp n," GPRS                                              \
  "\n"                                                          \
  "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"                     \
  "  .endr\n"                                                   \
  "  sd ra, %[pc](sp)\n"                                        \
  "  addi t0, sp, %[frame_size]\n"                              \
  "  sd t0, %[sp_slot](sp)\n"                                   \
  "  sd zero, %[status](sp)\n"                                  \
  "  sd zero, %[library_state](sp)\n"                           \
  "  .irp n," CTE_RISCV64_KEPT_FPRS                             \
  "\n"                                                          \
  "  fsd f\\n, (%[f] + \\n * %[word])(sp)\n"                    \
  "  .endr\n" CTE_RISCV64_CFI_SAVED_KEPT_REGISTERS              \
  "  frcsr t0\n"                                                \
  "  sd t0, %[fcsr](sp)\n"                                      \
  "  mv a0, sp\n"                                               \
  "  call " dispatch                                            \
  "\n"                                                          \
  "  ld t0, %[library_state](a0)\n"                             \
  "  andi t0, t0, %[asynchronous]\n"                            \
  "  bnez t0, 1f\n"                                             \
  "  tail cte_riscv64_restore_voluntary\n"                      \
  "1:\n"                                                        \
  "  tail cte_riscv64_restore_asynchronous\n"

// Emits the stubs. Never called: [[gnu::used]] makes every translation unit emit it, and the
// COMDAT groups inside make the linker keep one copy of each stub.
[[gnu::used]] inline void emit_trap_entry_stubs() {
  asm volatile(
      // --- cte_riscv64_yield_trap: a plain call; ra = resume address, sp = S. Make room for
      // the frame below S and record an ecall from U-mode marked yield (t0 is dead at a call;
      // irq_id means nothing while irq_id_valid is 0). Its own copy of the tail: it stores
      // only what a call keeps, and its dispatcher knows the Event without decoding.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_yield_trap)
      "  addi sp, sp, -%[frame_size]\n"
      "  .cfi_def_cfa_offset %[frame_size]\n"
      "  li t0, %[ecall_u]\n"
      "  sd t0, %[cause](sp)\n"
      "  li t0, %[yield_marker]\n"
      "  sd t0, %[tval](sp)\n"
      "  sd zero, %[irq_id_valid](sp)\n"
      CTE_RISCV64_SAVE_VOLUNTARY_AND_DISPATCH(CTE_RISCV64_YIELD_GPRS, "cte_riscv64_yield_dispatch")
      CTE_ASM_FUNCTION_END(cte_riscv64_yield_trap) ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_syscall_trap(a0..a5, number): C call, the number arrives in a6.
      // Re-shape into the syscall convention (number in a7) and record the trap.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_syscall_trap)
      "  addi sp, sp, -%[frame_size]\n"
      "  .cfi_def_cfa_offset %[frame_size]\n"
      "  mv a7, a6\n"
      "  sd zero, %[tval](sp)\n"
      "  tail cte_riscv64_save_ecall\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_syscall_trap) ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_thread_exit_trap: reached by the `ret` of a kcontext entry function
      // (its ra). sp = S, the thread's initial stack pointer. The resume address recorded is
      // this stub itself; the dispatcher refuses to resume such a frame anyway.
      // The outermost frame of a kcontext thread: an unwinder looks the return address up as
      // ra - 1, which lands in the never-executed nop of the enclosing function
      // cte_riscv64_thread_exit, where the return address is undefined: a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_thread_exit)
      "  .cfi_undefined ra\n"
      "  nop\n"
      ".globl cte_riscv64_thread_exit_trap\n"
      ".hidden cte_riscv64_thread_exit_trap\n"
      "cte_riscv64_thread_exit_trap:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  .cfi_def_cfa_offset %[frame_size]\n"
      "  li t0, %[exit_marker]\n"
      "  sd t0, %[tval](sp)\n"
      "  lla ra, cte_riscv64_thread_exit_trap\n"
      "  tail cte_riscv64_save_ecall\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_thread_exit) ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_save_ecall: sp = the frame of an ecall-shaped trap, its tval (the
      // marker) written. Records cause = ecall_from_u with no claimed source, then the rest.
      // (t0 and the temporary of the `tail` are dead at the call that trapped.)
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_save_ecall)
      "  .cfi_def_cfa_offset %[frame_size]\n"
      "  li t0, %[ecall_u]\n"
      "  sd t0, %[cause](sp)\n"
      "  sd zero, %[irq_id_valid](sp)\n"
      "  sd zero, %[irq_id](sp)\n"
      "  tail cte_riscv64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_save_ecall) ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_interrupt_trap(cause, tval, irq_id_valid, irq_id): C call; a0-a3 hold
      // the cause fields, which go straight into the frame. The interrupted thread resumes at
      // the return address, like after any other voluntary trap.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_interrupt_trap)
      "  addi sp, sp, -%[frame_size]\n"
      "  .cfi_def_cfa_offset %[frame_size]\n"
      "  sd a0, %[cause](sp)\n"
      "  sd a1, %[tval](sp)\n"
      "  sd a2, %[irq_id_valid](sp)\n"
      "  sd a3, %[irq_id](sp)\n"
      "  tail cte_riscv64_save_voluntary\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_interrupt_trap) ::CTE_RISCV64_FRAME_OPERANDS);
  // (clang-format would put the stub on one line)
  // clang-format off
  asm volatile(
      // --- cte_riscv64_save_voluntary: the tail of the stubs other than yield, entered with sp =
      // the frame and its cause fields written. Stores every GPR: the handler reads a syscall's
      // number and arguments from them.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_save_voluntary)
      "  .cfi_def_cfa_offset %[frame_size]\n"
      CTE_RISCV64_SAVE_VOLUNTARY_AND_DISPATCH(CTE_RISCV64_FRAME_GPRS, "cte_riscv64_trap_dispatch")
      CTE_ASM_FUNCTION_END(cte_riscv64_save_voluntary) ::CTE_RISCV64_FRAME_OPERANDS);
  // clang-format on
  asm volatile(
      // --- cte_riscv64_restore_voluntary(frame = a0): resume a frame with asynchronous clear,
      // whose thread stopped at a call: only what a call keeps is live there, plus a0 (the
      // return value) and ra (a fresh kcontext frame's return address). The frame may live on
      // any stack; sp stays at the frame until the last load from it. fs0-fs11, fcsr, those
      // GPRs; t6 takes the pc, t5 the state word, sp is loaded last, and the jump goes through
      // t6 (t5 and t6 are dead at a call). A backtrace taken in here ends here: the code is
      // becoming another thread.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_restore_voluntary)
      "  .cfi_undefined ra\n"
      "  mv sp, a0\n"
      "  .irp n," CTE_RISCV64_KEPT_FPRS "\n"
      "  fld f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  ld t0, %[fcsr](sp)\n"
      "  fscsr t0\n"
      "  .irp n," CTE_RISCV64_RESUMED_GPRS "\n"
      "  ld x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  ld t6, %[pc](sp)\n"
      "  ld t5, %[library_state](sp)\n"
      "  ld sp, %[sp_slot](sp)\n"
      // The last act: set the hosted interrupt-enable word if the frame runs with interrupts
      // enabled (any nonzero value: its own address), then jump. The word is clear until here
      // (platform/hosted.hpp).
      "  andi t5, t5, %[enabled_bit]\n"
      "  beqz t5, 1f\n"
      "  lla t5, cte_hosted_interrupts_enabled\n"
      "  sd t5, 0(t5)\n"
      "1:\n"
      "  jr t6\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_restore_voluntary) ::CTE_RISCV64_FRAME_OPERANDS);
  asm volatile(
      // --- cte_riscv64_restore_asynchronous(frame = a0): resume a frame with asynchronous set,
      // every register exact. THE exact-resume point (the only one): the callee runs on the
      // resumed thread's dead stack, below Isa::frame_below(its sp), or below the frame if the
      // handler put it lower still (a copy anywhere else is never run over); the kernel's
      // sigreturn loads every register. Interrupts are still held here (the enable word is
      // clear until the resume's last act), so nothing can take the frame's place first.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_restore_asynchronous)
      "  .cfi_undefined ra\n"
      "  ld t0, %[sp_slot](a0)\n"
      "  addi t0, t0, -%[frame_size]\n"
      "  andi t0, t0, -16\n"
      "  bgeu a0, t0, 1f\n"
      "  mv t0, a0\n"
      "1:\n"
      "  mv sp, t0\n"
      "  call cte_hosted_resume_asynchronous\n"
      "  unimp\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_restore_asynchronous) ::CTE_RISCV64_FRAME_OPERANDS);
}

#undef CTE_RISCV64_YIELD_GPRS
#undef CTE_RISCV64_RESUMED_GPRS
#undef CTE_RISCV64_SAVE_VOLUNTARY_AND_DISPATCH

}  // namespace cte::riscv64
