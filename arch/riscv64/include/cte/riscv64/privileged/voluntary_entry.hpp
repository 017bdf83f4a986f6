#pragma once
// The stub names are built inside macro arguments (cte_riscv64_priv%[level]_...), which
// clang-format would split into tokens: this file keeps its own layout.
// clang-format off
// riscv64 bare-metal voluntary traps: yield(), syscall(...) and the kcontext thread-exit stub
// are plain function calls that never take a hardware trap. A call keeps only what the psABI
// makes callee-saved (s0-s11, fs0-fs11, sp, gp, tp; fcsr has thread storage duration), so a
// stub saves a *voluntary* Frame (frame_state::asynchronous clear) instead of the complete one
// the trap vector saves, and the dispatcher sees the same Event as from the ecall it replaces:
//
//   cause   Mode<P>::ecall_cause (M: ecall from M, 11; S: ecall from S, 9); irq_id_valid 0
//   tval    the voluntary_trap marker: 0 (system call, as the hart records an ecall), yield or
//           thread exit (cte/voluntary_trap.hpp: never a register, so no number collides)
//   a7      the system call number; a0-a5 the arguments (a yield's slots are not written)
//   pc      the return address: past the call, where the thread resumes (the hosted stubs
//           record the same); for thread exit the stub itself (its ra)
//   status  what the hart records on a trap: xPIE = the caller's xIE, xIE = 0, xPP = P
//   sp      the caller's sp; ra, fcsr; library_state 0 (stack_overflow, see below)
//
// Interrupts go off with the stub's first instruction (csrrci) and stay off through the
// handler until xRET resumes a Context, as for a hardware trap. In M-mode the stub also sets
// mstatus.MPP = M, so the dispatcher's loads and stores are not checked against the thread's
// PMP stack guard (MPRV, see board.hpp), exactly as after a trap.
//
// Deferred callee-saved registers: the dispatcher and the handler are C++ functions, which keep
// s0-s11, fs0-fs11, gp and tp for their caller. So the stub calls the dispatcher before storing
// them. If the handler resumes the same Context, they are still in the registers: the stub
// reloads only what a call clobbers or the handler may have changed (pc, status, fcsr, ra, a0)
// and returns with xRET. If it resumes another Context, the stub first stores them into its
// frame (cte_riscv64_priv<L>_switch_away), which is then complete, and restores the other
// Context. Consequence for handlers: while a handler runs, the callee-saved register slots of
// its own voluntary Context are not yet written (the portable accessors never read them).
//
// Frame placement and stack overflow: the same rule as the trap vector (trap_entry.hpp): the
// frame goes directly below the caller's sp (16-byte aligned at a call, psABI), unless that
// would be at most 64 KiB below the running kcontext thread's frame limit; then the thread has
// run off its stack, the frame goes to TrapScratch::overflow_frame with
// library_state = stack_overflow, the dispatcher runs on the emergency stack below it and the
// handler sees EventKind::stack_overflow. Nothing is stored before that check. The check's
// rare half (a frame below the limit) is a function of its own, the placement's slow path.
//
// Each stub is one linear function: the head (interrupts off, placement), what it traps for
// (a7, arguments), the record, the dispatcher call, and then either the return to the same
// Context (reload, xRET) or the tail call of switch_away, decided once.

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/frame_registers.hpp>
#include <cte/riscv64/privileged/frame_cfi.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_scratch.hpp>
#include <cte/voluntary_trap.hpp>

extern "C" {
// Per privilege level (3: machine, 1: supervisor), defined in assembly below.
void cte_riscv64_priv3_yield();
void cte_riscv64_priv1_yield();
long cte_riscv64_priv3_syscall(long a0, long a1, long a2, long a3, long a4, long a5, long number);
long cte_riscv64_priv1_syscall(long a0, long a1, long a2, long a3, long a4, long a5, long number);
void cte_riscv64_priv3_thread_exit();
void cte_riscv64_priv1_thread_exit();
// Called by the stubs with the voluntary frame they saved; return the frame to resume
// (privileged/dispatch.hpp). The yield stub's knows its Event without decoding a7.
cte::riscv64::Frame *cte_riscv64_privileged_voluntary_dispatch(cte::riscv64::Frame *frame);
cte::riscv64::Frame *cte_riscv64_privileged_yield_dispatch(cte::riscv64::Frame *frame);
}

namespace cte::riscv64::privileged {

// The interrupt-enable bit moves to the previous-enable bit by this shift (MIE 3 -> MPIE 7,
// SIE 1 -> SPIE 5), as the hart moves it on a trap.
inline constexpr unsigned interrupt_enable_to_previous_shift = 4;
static_assert((status::mie << interrupt_enable_to_previous_shift) == status::mpie &&
              (status::sie << interrupt_enable_to_previous_shift) == status::spie);

// The first part of every stub, as assembly text: interrupts off (t0 = the status before),
// frame placement with the overflow check, then sp = the frame. A frame below the frame limit
// (rare) is placed by frame_below_limit, called with the link in t3, which returns t2 = the
// frame to use with its library_state written. Only t0-t3 are used: a0-a7 (the arguments)
// are still live, and t3 is dead at a call.
#define CTE_RISCV64_PRIV_STUB_HEAD                                                              \
  "  csrrci t0, %[status_csr], %[interrupt_enable]\n" /* interrupts off; t0 = status before */ \
  "  csrr t1, %[scratch_csr]\n"                       /* t1 = &trap_scratch */                 \
  "  ld t1, %[frame_limit](t1)\n"                                                               \
  "  addi t2, sp, -%[frame_size]\n" /* the frame's place: below sp */                          \
  "  bgeu t2, t1, 1f\n"             /* at or above the frame limit: the usual case */          \
  "  jal t3, cte_riscv64_priv%[level]_frame_below_limit\n"                                      \
  "  j 2f\n"                                                                                    \
  "1:\n"                                                                                        \
  "  sd zero, %[library_state](t2)\n" /* voluntary: asynchronous clear */                      \
  "2:\n"                                                                                        \
  "  sd sp, %[sp_slot](t2)\n" /* the caller's sp */                                            \
  "  mv sp, t2\n"             /* sp = the frame; nothing below it is live */                   \
  CTE_RISCV64_CFI_CFA_FROM_FRAME

// The rest of every stub, after it stored what it traps for (tval, a7, arguments): the trap record,
// the call of `dispatcher`, and the return to the same Context (`reload_result` is the load
// of a0, the return value, for a stub that returns one) or the switch to another.
#define CTE_RISCV64_PRIV_STUB_TAIL(dispatcher, reload_result)                                   \
  "  sd ra, %[ra_slot](sp)\n"                                                                   \
  CTE_RISCV64_CFI_SAVED_AT_SP("1", "%[ra_slot]")                                                \
  "  sd ra, %[pc](sp)\n" /* resumes at the return address */                                   \
  "  li t1, %[ecall_cause]\n"                                                                   \
  "  sd t1, %[cause](sp)\n"                                                                     \
  "  sd zero, %[irq_id_valid](sp)\n"                                                            \
  /* status as the hart records it on a trap: xPIE = xIE before, xIE = 0, xPP = this mode. */  \
  "  andi t1, t0, %[interrupt_enable]\n"                                                        \
  "  slli t1, t1, %[ie_to_pie_shift]\n"                                                         \
  "  andi t0, t0, %[not_ie_pie]\n"                                                              \
  "  or t0, t0, t1\n"                                                                           \
  "  li t1, %[pp_self]\n"                                                                       \
  "  or t0, t0, t1\n"                                                                           \
  "  sd t0, %[status](sp)\n"                                                                    \
  "  .if %[level] == %[machine_level]\n"                                                        \
  "  csrs %[status_csr], t1\n" /* MPP = M: the dispatcher is not PMP-checked (MPRV) */         \
  "  .endif\n"                                                                                  \
  "  frcsr t1\n"                                                                                \
  "  sd t1, %[fcsr](sp)\n"                                                                      \
  "  mv a0, sp\n"                                                                               \
  "  call " dispatcher "\n"                                                                    \
  "  beq a0, sp, 1f\n"                                                                          \
  "  tail cte_riscv64_priv%[level]_switch_away\n" /* another Context: a0 = it, sp = this frame */ \
  "1:\n" /* the same Context: callee-saved registers are live; reload what may have changed */ \
  "  ld t1, %[pc](sp)\n"                                                                        \
  "  csrw %[epc_csr], t1\n"                                                                     \
  "  ld t1, %[status](sp)\n"                                                                    \
  "  csrw %[status_csr], t1\n"                                                                  \
  "  ld t1, %[fcsr](sp)\n"                                                                      \
  "  fscsr t1\n"                                                                                \
  "  ld ra, %[ra_slot](sp)\n"                                                                   \
  "  .cfi_restore ra\n"                                                                         \
  reload_result                                                                                 \
  "  ld sp, %[sp_slot](sp)\n"                                                                   \
  "  .cfi_def_cfa sp, 0\n"                                                                      \
  "  .if %[level] == %[machine_level]\n"                                                        \
  "  mret\n"                                                                                    \
  "  .else\n"                                                                                   \
  "  sret\n"                                                                                    \
  "  .endif\n"

// The branch to the restore a frame needs (a0 = the frame), taken once per resume (the
// restores are in trap_entry.hpp). Operands [library_state], [asynchronous], [level].
#define CTE_RISCV64_PRIV_TAIL_TO_RESTORE                  \
  "  ld t0, %[library_state](a0)\n"                     \
  "  andi t0, t0, %[asynchronous]\n"                    \
  "  bnez t0, 1f\n"                                     \
  "  tail cte_riscv64_priv%[level]_restore_voluntary\n" \
  "1:\n"                                                \
  "  tail cte_riscv64_priv%[level]_restore_asynchronous\n"

// Operands of the stubs (each asm statement takes at most 30).
#define CTE_RISCV64_PRIV_STUB_OPERANDS                                                                       \
  [level] "i"(static_cast<unsigned>(P)), [machine_level] "i"(static_cast<unsigned>(Privilege::machine)),     \
      [status_csr] "i"(M::status_csr), [epc_csr] "i"(M::epc_csr), [scratch_csr] "i"(M::scratch_csr),         \
      [interrupt_enable] "i"(M::interrupt_enable), [ie_to_pie_shift] "i"(interrupt_enable_to_previous_shift), \
      [not_ie_pie] "i"(~static_cast<std::int64_t>(M::interrupt_enable | M::previous_interrupt_enable)),       \
      [pp_self] "i"(M::previous_privilege_self), [ecall_cause] "i"(M::ecall_cause),                          \
      [frame_limit] "i"(offsetof(TrapScratch, frame_limit)), [frame_size] "i"(sizeof(Frame)),                 \
      [library_state] "i"(offsetof(Frame, library.state)), [sp_slot] "i"(gpr_offset(reg::sp)),              \
      [ra_slot] "i"(gpr_offset(reg::ra)), [a0_slot] "i"(gpr_offset(reg::a0)), [pc] "i"(offsetof(Frame, pc)), \
      [cause] "i"(offsetof(Frame, cause)), [tval] "i"(offsetof(Frame, tval)),                                \
      [irq_id_valid] "i"(offsetof(Frame, irq_id_valid)), [status] "i"(offsetof(Frame, status)),              \
      [fcsr] "i"(offsetof(Frame, fcsr)), [x] "i"(offsetof(Frame, x)), [word] "i"(sizeof(std::uint64_t)),     \
      [a7_slot] "i"(gpr_offset(reg::a7))

static_assert(frame_state::stack_overflow < 2048 && frame_state::asynchronous < 2048, "12-bit immediates");

// Emits mode P's stubs and their helpers. Never called: instantiating it (through
// install_trap_vector) makes every translation unit emit the COMDAT groups inside.
template <Privilege P>
[[gnu::used]] inline void emit_voluntary_entry() {
  using M = Mode<P>;
  asm volatile(
      // --- yield(): tval = the yield marker.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_yield)
      CTE_RISCV64_PRIV_STUB_HEAD
      "  li t1, %[yield_marker]\n"
      "  sd t1, %[tval](sp)\n"
      CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_yield_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_yield)
      ::CTE_RISCV64_PRIV_STUB_OPERANDS, [yield_marker] "i"(voluntary_trap::yield));
  asm volatile(
      // --- syscall(a0..a5, number): a C call, the number arrives in a6 and goes to a7's slot;
      // the arguments stay in their registers' slots.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_syscall)
      CTE_RISCV64_PRIV_STUB_HEAD
      "  .irp n," CTE_RISCV64_GPRS_A0_A5 "\n"
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  sd a6, %[a7_slot](sp)\n"
      "  sd zero, %[tval](sp)\n"
      CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_voluntary_dispatch", "  ld a0, %[a0_slot](sp)\n")
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_syscall)
      ::CTE_RISCV64_PRIV_STUB_OPERANDS);
  asm volatile(
      // --- thread exit: the ra of every kcontext thread, reached by the `ret` of its entry
      // function (ra still points here: pc = this stub). tval = the thread-exit marker; the
      // dispatcher refuses to resume it. The outermost frame of a kcontext thread: an unwinder
      // looks the return address up as ra - 1, which lands in the never-executed nop of the
      // enclosing function, where the return address is undefined: a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_thread_exit_stub)
      "  .cfi_undefined ra\n"
      "  nop\n"
      ".globl cte_riscv64_priv%[level]_thread_exit\n"
      ".hidden cte_riscv64_priv%[level]_thread_exit\n"
      "cte_riscv64_priv%[level]_thread_exit:\n"
      CTE_RISCV64_PRIV_STUB_HEAD
      "  li t1, %[exit_marker]\n"
      "  sd t1, %[tval](sp)\n"
      CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_voluntary_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_thread_exit_stub)
      ::CTE_RISCV64_PRIV_STUB_OPERANDS, [exit_marker] "i"(voluntary_trap::thread_exit));
  asm volatile(
      // --- frame_below_limit: the head's slow path, link in t3. t1 = the frame limit, t2 = the
      // frame's place below it. Overflow iff 0 < limit - frame <= window (unsigned), as in the
      // vector: then t2 = the reserved frame, marked stack_overflow. Otherwise the frame is far
      // below the limit, on another stack, and stays there (asynchronous clear).
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_frame_below_limit)
      "  .cfi_register ra, t3\n"
      "  sub t1, t1, t2\n"
      "  addi t1, t1, -1\n"
      "  srli t1, t1, %[window_shift]\n"
      "  bnez t1, 1f\n" /* far below the limit: another stack, no overflow */
      "  csrr t1, %[scratch_csr]\n" /* the reserved frame, marked */
      "  li t2, %[overflow_frame]\n"
      "  add t2, t1, t2\n"
      "  li t1, %[stack_overflow]\n"
      "  j 2f\n"
      "1:\n"
      "  li t1, 0\n"
      "2:\n"
      "  sd t1, %[library_state](t2)\n"
      "  jr t3\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_frame_below_limit)
      ::[level] "i"(static_cast<unsigned>(P)), [scratch_csr] "i"(M::scratch_csr),
      [overflow_frame] "i"(offsetof(TrapScratch, overflow_frame)), [window_shift] "i"(overflow_window_shift),
      [stack_overflow] "i"(frame_state::stack_overflow), [library_state] "i"(offsetof(Frame, library.state)));
  asm volatile(
      // --- switch_away(a0 = the Context to resume), sp = the voluntary frame a stub just saved
      // and dispatched: its callee-saved registers are still live (the dispatcher kept them);
      // store them, which completes the frame, then take the restore the other Context needs.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_priv%[level]_switch_away)
      CTE_RISCV64_CFI_CFA_FROM_FRAME
      CTE_RISCV64_CFI_SAVED_AT_SP("1", "%[ra_slot]")
      "  .irp n," CTE_RISCV64_KEPT_GPRS "\n"
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  .irp n," CTE_RISCV64_KEPT_FPRS "\n"
      "  fsd f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      CTE_RISCV64_PRIV_TAIL_TO_RESTORE
      CTE_ASM_FUNCTION_END(cte_riscv64_priv%[level]_switch_away)
      ::[level] "i"(static_cast<unsigned>(P)), [x] "i"(offsetof(Frame, x)), [f] "i"(offsetof(Frame, f)),
      [word] "i"(sizeof(std::uint64_t)), [sp_slot] "i"(gpr_offset(reg::sp)), [ra_slot] "i"(gpr_offset(reg::ra)),
      [library_state] "i"(offsetof(Frame, library.state)), [asynchronous] "i"(frame_state::asynchronous));
}

}  // namespace cte::riscv64::privileged
// clang-format on
