#pragma once
// riscv64 bare-metal voluntary traps: yield(), syscall(...) and the kcontext thread-exit stub
// are plain function calls that never take a hardware trap. A call keeps only what the psABI
// makes callee-saved (s0-s11, fs0-fs11, sp, gp, tp; fcsr has thread storage duration), so a
// stub saves a *voluntary* Frame (frame_state::asynchronous clear) instead of the complete one
// the trap vector saves, and the dispatcher sees the same Event as from the ecall it replaces:
//
//   cause   Mode<P>::ecall_cause (M: ecall from M, 11; S: ecall from S, 9); tval, irq_id_valid 0
//   a7      ecall_a7::yield (-1), ecall_a7::thread_exit (-2) or the system call number;
//           a0-a5 the arguments (syscall; a yield's argument slots are not written)
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
// handler sees EventKind::stack_overflow. Nothing is stored before that check.

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_scratch.hpp>

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

// Callee-saved registers the stubs store only when the thread is switched away from, by
// number: gp, tp, s0-s1, s2-s11; fs0-fs1, fs2-fs11.
#define CTE_RISCV64_PRIV_DEFERRED_GPRS "3,4,8,9,18,19,20,21,22,23,24,25,26,27"
#define CTE_RISCV64_PRIV_DEFERRED_FPRS "8,9,18,19,20,21,22,23,24,25,26,27"
static_assert(reg::gp == 3 && reg::tp == 4 && reg::s0 == 8 && reg::s1 == 9 && reg::s2 == 18 && reg::s11 == 27 &&
                  freg::fs0 == 8 && freg::fs1 == 9 && freg::fs2 == 18 && freg::fs11 == 27,
              "the deferred register lists name gp, tp, s0-s11 and fs0-fs11 by number");

// The interrupt-enable bit moves to the previous-enable bit by this shift (MIE 3 -> MPIE 7,
// SIE 1 -> SPIE 5), as the hart moves it on a trap.
inline constexpr unsigned interrupt_enable_to_previous_shift = 4;
static_assert((status::mie << interrupt_enable_to_previous_shift) == status::mpie &&
              (status::sie << interrupt_enable_to_previous_shift) == status::spie);

// The first part of every stub, as assembly text: interrupts off (t0 = the status before),
// frame placement with the overflow check (a frame below the limit goes to label 8, the cold
// path emitted by CTE_RISCV64_PRIV_STUB_TAIL, which applies the window), then sp = the frame.
// Only t0-t2 are used: a0-a7 (the arguments) are still live.
#define CTE_RISCV64_PRIV_STUB_HEAD                                                                    \
  "  csrrci t0, %[status_csr], %[interrupt_enable]\n" /* interrupts off; t0 = status before */       \
  "  csrr t1, %[scratch_csr]\n"                       /* t1 = &trap_scratch */                       \
  "  ld t1, %[frame_limit](t1)\n"                                                                     \
  "  addi t2, sp, -%[frame_size]\n" /* the frame's place: below sp */                                \
  "  bltu t2, t1, 8f\n" /* below the frame limit: maybe an overflow (label 8) */                     \
  "6:\n"                                                                                              \
  "  sd zero, %[library_state](t2)\n" /* voluntary: asynchronous clear */                            \
  "7:\n"                                                                                              \
  "  sd sp, %[sp_slot](t2)\n" /* the caller's sp */                                                  \
  "  mv sp, t2\n"             /* sp = the frame; nothing below it is live */

// The rest of every stub, after it stored what it traps for (a7, arguments): the trap record,
// the call of `dispatcher`, and the return to the same Context (label 2: `reload_result` is
// the load of a0, the return value, for a stub that returns one) or the switch to another.
#define CTE_RISCV64_PRIV_STUB_TAIL(dispatcher, reload_result)                                         \
  "  sd ra, %[ra_slot](sp)\n"                                                                         \
  "  sd ra, %[pc](sp)\n" /* resumes at the return address */                                         \
  "  li t1, %[ecall_cause]\n"                                                                         \
  "  sd t1, %[cause](sp)\n"                                                                           \
  "  sd zero, %[tval](sp)\n"                                                                          \
  "  sd zero, %[irq_id_valid](sp)\n"                                                                  \
  /* status as the hart records it on a trap: xPIE = xIE before, xIE = 0, xPP = this mode. */        \
  "  andi t1, t0, %[interrupt_enable]\n"                                                              \
  "  slli t1, t1, %[ie_to_pie_shift]\n"                                                               \
  "  andi t0, t0, %[not_ie_pie]\n"                                                                    \
  "  or t0, t0, t1\n"                                                                                 \
  "  li t1, %[pp_self]\n"                                                                             \
  "  or t0, t0, t1\n"                                                                                 \
  "  sd t0, %[status](sp)\n"                                                                          \
  "  .if %[level] == %[machine_level]\n"                                                              \
  "  csrs %[status_csr], t1\n" /* MPP = M: the dispatcher is not PMP-checked (MPRV) */               \
  "  .endif\n"                                                                                        \
  "  frcsr t1\n"                                                                                      \
  "  sd t1, %[fcsr](sp)\n"                                                                            \
  "  mv a0, sp\n"                                                                                     \
  "  call " dispatcher "\n"                                                                          \
  "  beq a0, sp, 2f\n"                                                                                \
  "  tail cte_riscv64_priv%[level]_switch_away\n" /* another Context: a0 = it, sp = this frame */    \
  "2:\n" /* the same Context: callee-saved registers are live; reload what may have changed */       \
  "  ld t1, %[pc](sp)\n"                                                                              \
  "  csrw %[epc_csr], t1\n"                                                                           \
  "  ld t1, %[status](sp)\n"                                                                          \
  "  csrw %[status_csr], t1\n"                                                                        \
  "  ld t1, %[fcsr](sp)\n"                                                                            \
  "  fscsr t1\n"                                                                                      \
  "  ld ra, %[ra_slot](sp)\n"                                                                         \
  reload_result                                                                                       \
  "  ld sp, %[sp_slot](sp)\n"                                                                         \
  "  .if %[level] == %[machine_level]\n"                                                              \
  "  mret\n"                                                                                          \
  "  .else\n"                                                                                         \
  "  sret\n"                                                                                          \
  "  .endif\n"                                                                                        \
  "8:\n" /* (cold) overflow iff 0 < limit - frame <= window (unsigned), as in the vector */          \
  "  sub t1, t1, t2\n"                                                                                \
  "  addi t1, t1, -1\n"                                                                               \
  "  srli t1, t1, %[window_shift]\n"                                                                  \
  "  bnez t1, 6b\n" /* far below: another stack, no overflow */                                     \
  "  csrr t1, %[scratch_csr]\n" /* the reserved frame, marked */                                    \
  "  li t2, %[overflow_frame]\n"                                                                      \
  "  add t2, t1, t2\n"                                                                                \
  "  li t1, %[stack_overflow]\n"                                                                      \
  "  sd t1, %[library_state](t2)\n"                                                                   \
  "  j 7b\n"

// Operands of the stubs (each asm statement takes at most 30).
#define CTE_RISCV64_PRIV_STUB_OPERANDS                                                                       \
  [level] "i"(static_cast<unsigned>(P)), [machine_level] "i"(static_cast<unsigned>(Privilege::machine)),     \
      [status_csr] "i"(M::status_csr), [epc_csr] "i"(M::epc_csr), [scratch_csr] "i"(M::scratch_csr),         \
      [interrupt_enable] "i"(M::interrupt_enable), [ie_to_pie_shift] "i"(interrupt_enable_to_previous_shift), \
      [not_ie_pie] "i"(~static_cast<std::int64_t>(M::interrupt_enable | M::previous_interrupt_enable)),       \
      [pp_self] "i"(M::previous_privilege_self), [ecall_cause] "i"(M::ecall_cause),                          \
      [frame_limit] "i"(offsetof(TrapScratch, frame_limit)),                                                  \
      [overflow_frame] "i"(offsetof(TrapScratch, overflow_frame)), [window_shift] "i"(overflow_window_shift), \
      [stack_overflow] "i"(frame_state::stack_overflow), [frame_size] "i"(sizeof(Frame)),                    \
      [library_state] "i"(offsetof(Frame, library.state)), [sp_slot] "i"(gpr_offset(reg::sp)),              \
      [ra_slot] "i"(gpr_offset(reg::ra)), [a0_slot] "i"(gpr_offset(reg::a0)), [pc] "i"(offsetof(Frame, pc)), \
      [cause] "i"(offsetof(Frame, cause)), [tval] "i"(offsetof(Frame, tval)),                                \
      [irq_id_valid] "i"(offsetof(Frame, irq_id_valid)), [status] "i"(offsetof(Frame, status)),              \
      [fcsr] "i"(offsetof(Frame, fcsr))

static_assert(frame_state::stack_overflow < 2048, "li of a small immediate");

// Emits mode P's stubs and its switch-away path. Never called: instantiating it (through
// install_trap_vector) makes every translation unit emit the COMDAT groups inside.
template <Privilege P>
[[gnu::used]] inline void emit_voluntary_entry() {
  using M = Mode<P>;
  asm volatile(
      // --- yield(): a7 = ecall_a7::yield.
      ".pushsection .text.cte_riscv64_priv%[level]_yield,\"axG\",@progbits,cte_riscv64_priv%[level]_yield,comdat\n"
      ".globl cte_riscv64_priv%[level]_yield\n.hidden cte_riscv64_priv%[level]_yield\n"
      ".type cte_riscv64_priv%[level]_yield,@function\n"
      "cte_riscv64_priv%[level]_yield:\n" CTE_RISCV64_PRIV_STUB_HEAD
      "  li t1, %[yield_a7]\n"
      "  sd t1, %[a7_slot](sp)\n" CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_yield_dispatch", "")
      ".size cte_riscv64_priv%[level]_yield, .-cte_riscv64_priv%[level]_yield\n"
      ".popsection\n" ::CTE_RISCV64_PRIV_STUB_OPERANDS,
      [yield_a7] "i"(static_cast<std::int64_t>(ecall_a7::yield)), [a7_slot] "i"(gpr_offset(reg::a7)));
  asm volatile(
      // --- syscall(a0..a5, number): a C call, the number arrives in a6 and goes to a7's slot;
      // the arguments stay in their registers' slots.
      ".pushsection .text.cte_riscv64_priv%[level]_syscall,\"axG\",@progbits,cte_riscv64_priv%[level]_syscall,comdat\n"
      ".globl cte_riscv64_priv%[level]_syscall\n.hidden cte_riscv64_priv%[level]_syscall\n"
      ".type cte_riscv64_priv%[level]_syscall,@function\n"
      "cte_riscv64_priv%[level]_syscall:\n" CTE_RISCV64_PRIV_STUB_HEAD
      "  .irp n,10,11,12,13,14,15\n"  // a0-a5
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  sd a6, %[a7_slot](sp)\n"
      CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_voluntary_dispatch", "  ld a0, %[a0_slot](sp)\n")
      ".size cte_riscv64_priv%[level]_syscall, .-cte_riscv64_priv%[level]_syscall\n"
      ".popsection\n" ::CTE_RISCV64_PRIV_STUB_OPERANDS,
      [x] "i"(offsetof(Frame, x)), [word] "i"(sizeof(std::uint64_t)), [a7_slot] "i"(gpr_offset(reg::a7)));
  static_assert(reg::a0 == 10 && reg::a5 == 15, "the syscall stub stores a0-a5 by number");
  asm volatile(
      // --- thread exit: the ra of every kcontext thread, reached by the `ret` of its entry
      // function (ra still points here: pc = this stub). The dispatcher refuses to resume it.
      ".pushsection .text.cte_riscv64_priv%[level]_thread_exit,\"axG\",@progbits,"
      "cte_riscv64_priv%[level]_thread_exit,comdat\n"
      ".globl cte_riscv64_priv%[level]_thread_exit\n.hidden cte_riscv64_priv%[level]_thread_exit\n"
      ".type cte_riscv64_priv%[level]_thread_exit,@function\n"
      "cte_riscv64_priv%[level]_thread_exit:\n" CTE_RISCV64_PRIV_STUB_HEAD
      "  li t1, %[exit_a7]\n"
      "  sd t1, %[a7_slot](sp)\n" CTE_RISCV64_PRIV_STUB_TAIL("cte_riscv64_privileged_voluntary_dispatch", "")
      ".size cte_riscv64_priv%[level]_thread_exit, .-cte_riscv64_priv%[level]_thread_exit\n"
      ".popsection\n" ::CTE_RISCV64_PRIV_STUB_OPERANDS,
      [exit_a7] "i"(static_cast<std::int64_t>(ecall_a7::thread_exit)), [a7_slot] "i"(gpr_offset(reg::a7)));
  asm volatile(
      // --- switch_away(a0 = the Context to resume), sp = the voluntary frame a stub just saved
      // and dispatched: its callee-saved registers are still live (the dispatcher kept them);
      // store them, which completes the frame, then restore the other Context.
      ".pushsection .text.cte_riscv64_priv%[level]_switch_away,\"axG\",@progbits,"
      "cte_riscv64_priv%[level]_switch_away,comdat\n"
      ".globl cte_riscv64_priv%[level]_switch_away\n.hidden cte_riscv64_priv%[level]_switch_away\n"
      ".type cte_riscv64_priv%[level]_switch_away,@function\n"
      "cte_riscv64_priv%[level]_switch_away:\n"
      "  .irp n," CTE_RISCV64_PRIV_DEFERRED_GPRS "\n"
      "  sd x\\n, (%[x] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  .irp n," CTE_RISCV64_PRIV_DEFERRED_FPRS "\n"
      "  fsd f\\n, (%[f] + \\n * %[word])(sp)\n"
      "  .endr\n"
      "  tail cte_riscv64_priv%[level]_restore\n"
      ".size cte_riscv64_priv%[level]_switch_away, .-cte_riscv64_priv%[level]_switch_away\n"
      ".popsection\n" ::[level] "i"(static_cast<unsigned>(P)),
      [x] "i"(offsetof(Frame, x)), [f] "i"(offsetof(Frame, f)), [word] "i"(sizeof(std::uint64_t)));
}

}  // namespace cte::riscv64::privileged
