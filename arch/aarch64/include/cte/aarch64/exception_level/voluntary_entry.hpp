#pragma once
// The stub and label names are built from the level (cte_aarch64_el%c[el]_...), which
// clang-format would split into tokens: this file keeps its own layout.
// clang-format off
// aarch64 bare-metal voluntary traps: yield(), syscall(...) and the kcontext thread-exit stub
// are plain function calls that never take an exception, at EL1 and EL2 alike (one template
// over the level). A call keeps only what AAPCS64 makes callee-saved (x19-x29, d8-d15, sp;
// FPCR/FPSR have thread storage duration, frame.hpp), so a stub saves a *voluntary* Frame
// (frame_state::asynchronous clear) and the dispatcher sees the Event the svc it replaces
// would give (decode.hpp, as hosted):
//
//   esr        svc_esr_of(marker): EC svc64, IL, ISS = the voluntary_trap marker (0 for a
//              system call, yield, thread exit: never a register, cte/voluntary_trap.hpp);
//              far 0, trap_kind synchronous, interrupt_id 0
//   x8         the system call number; x0-x5 the arguments (a yield's slots are not written)
//   pc         x30, the return address: past the call, where the thread resumes (thread exit:
//              the stub itself, as the hosted stub records it)
//   pstate     what an exception from the thread records in SPSR_ELx: ELxt (Level<L>::
//              thread_mode) with the caller's DAIF; NZCV are dead at a call
//   sp, x30, FPCR, FPSR; library_state 0 (or stack_overflow, below)
//
// Exceptions are masked from the stub's second instruction (the first reads DAIF; see
// restart_stub_before_mask) until the resume's eret, as for an exception: the frame is saved,
// the handler runs and the Context is restored with every DAIF bit set; the resume loads ELR
// and SPSR from the frame and erets, so the thread's interrupt state comes back atomically
// with its pc, after every register.
//
// Deferred callee-saved registers: the dispatcher and the handler are C++ functions, which keep
// x19-x29 and d8-d15 for their caller; so the stub calls the dispatcher before storing them. If
// the handler resumes the same Context they are still in the registers: the stub reloads what a
// call clobbers or the handler may have changed (ELR, SPSR, FPCR, FPSR, x30, sp, x0 for a
// syscall) and erets. Otherwise switch_away stores them (the frame is then complete) and takes
// the vector's restore (trap_entry.hpp) for the other Context. While a handler runs, the
// callee-saved slots of its own voluntary Context are not written yet (the portable accessors
// never read them).
//
// Frame placement and stack overflow: the vector's rule. The frame goes directly below the
// caller's sp (16-byte aligned at a call), unless that would be at most 64 KiB below the
// running kcontext thread's frame limit: then the thread has run off its stack, the frame goes
// to TrapScratch::overflow_frame with library_state = stack_overflow and the dispatcher runs on
// the emergency stack below it; the handler sees EventKind::stack_overflow. Nothing is stored
// before that check. The dispatcher and the handler run below the frame (the thread's stack,
// whose lowest stack_reserve bytes no frame may use), with SPSel unchanged: a trap inside the
// handler enters the vector as any trap of the thread and is reported as nested there.
// switch_away selects SP_ELx before the vector's restore, which writes SP_EL0.
//
// Each stub is one linear function: the head (DAIF, placement), what it traps for (x8,
// arguments), the record, the dispatcher call, then either the return to the same Context or
// the branch to switch_away, decided once. The placement's rare half sits after the eret.

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include <cte/aarch64/exception_level/frame_cfi.hpp>
#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/trap_scratch.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/instruction_length.hpp>
#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/voluntary_trap.hpp>

extern "C" {
// Per exception level, defined in assembly below.
void cte_aarch64_el1_yield();
void cte_aarch64_el2_yield();
std::uint64_t cte_aarch64_el1_syscall(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                      std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
std::uint64_t cte_aarch64_el2_syscall(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                      std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
// The return address of a kcontext entry function: one instruction past this symbol.
void cte_aarch64_el1_thread_exit();
void cte_aarch64_el2_thread_exit();
// Called by the stubs with the voluntary frame they saved; return the frame to resume
// (dispatch.hpp). The yield stub's knows its Event without decoding the ESR.
cte::aarch64::Frame *cte_aarch64_board_voluntary_dispatch(cte::aarch64::Frame *frame);
cte::aarch64::Frame *cte_aarch64_board_yield_dispatch(cte::aarch64::Frame *frame);
}

namespace cte::aarch64::exception_level {

// Level L's stubs, as C++ sees them.
template <ExceptionLevel L>
inline constexpr auto yield_stub = L == ExceptionLevel::el1 ? &cte_aarch64_el1_yield : &cte_aarch64_el2_yield;
template <ExceptionLevel L>
inline constexpr auto syscall_stub = L == ExceptionLevel::el1 ? &cte_aarch64_el1_syscall : &cte_aarch64_el2_syscall;
template <ExceptionLevel L>
inline constexpr auto thread_exit_stub =
    L == ExceptionLevel::el1 ? &cte_aarch64_el1_thread_exit : &cte_aarch64_el2_thread_exit;

// An interrupt can arrive between a stub's DAIF read (its first instruction) and the mask (its
// second), and its handler may change that Context's interrupt state: resumed at the mask, the
// stub would record the state it read before. So a Context whose pc is a stub's mask resumes
// at the stub's start instead, when its interrupt state is set (Board::
// set_frame_interrupts_enabled); nothing is stored there yet, and x9 is scratch at a call.
template <ExceptionLevel L>
inline void restart_stub_before_mask(Frame &frame) {
  for (const std::uintptr_t start :
       {reinterpret_cast<std::uintptr_t>(yield_stub<L>), reinterpret_cast<std::uintptr_t>(syscall_stub<L>),
        reinterpret_cast<std::uintptr_t>(thread_exit_stub<L>)})
    if (frame.pc == start + instruction_size) frame.pc = start;
}

// A frame slot: [x] = offsetof(Frame, x), [q] = offsetof(Frame, q); stp of a pair to sp = the frame.
#define CTE_AARCH64_VOL_X_SLOT_(n) "(%c[x] + " #n " * 8)"
#define CTE_AARCH64_VOL_STORE_X_PAIR_(a, b) "  stp x" #a ", x" #b ", [sp, #" CTE_AARCH64_VOL_X_SLOT_(a) "]\n"
#define CTE_AARCH64_VOL_STORE_Q_PAIR_(a, b) "  stp q" #a ", q" #b ", [sp, #(%c[q] + " #a " * 16)]\n"

// The first part of every stub: x9 = DAIF before, every exception masked, then the frame's
// place with the overflow check (x10 = the frame, its library_state written), the caller's sp
// and x30 stored, sp = the frame. `x30_cfi` says where the caller's return address is from
// then on. Uses x9-x11 only: x0-x7 (the arguments) are live.
#define CTE_AARCH64_VOL_STUB_HEAD(x30_cfi)                                                   \
  "  mrs x9, daif\n"                                                                          \
  "  msr daifset, #0xf\n"                                                                     \
  "  sub x10, sp, #%c[frame_size]\n" /* the frame's place: directly below sp */              \
  "  adrp x11, cte_aarch64_trap_scratch\n" /* the frame limit (offset 0) */                  \
  "  ldr x11, [x11, :lo12:cte_aarch64_trap_scratch]\n"                                        \
  "  cmp x10, x11\n"                                                                          \
  "  b.lo 8f\n" /* below the limit: overflow, or another stack (after the eret) */           \
  "  str xzr, [x10, #%c[library_state]]\n" /* voluntary: asynchronous clear */               \
  "7:\n"                                                                                      \
  "  mov x11, sp\n"                                                                           \
  "  stp x30, x11, [x10, #" CTE_AARCH64_VOL_X_SLOT_(30) "]\n" /* x30, then sp */            \
  "  .cfi_remember_state\n"                                                                   \
  "  mov sp, x10\n" /* nothing below the frame is live */                                    \
  CTE_AARCH64_CFI_CFA_FROM_FRAME_AT_SP                                                        \
  x30_cfi

// The rest of every stub, after it stored what it traps for: the record (esr = the svc's, as
// movz/movk halves of `esr_value`), the call of `dispatcher`, then the return to the same
// Context (`reload_result`: the load of x0 for a stub that returns a value) or the branch to
// switch_away; last, the placement's rare half.
#define CTE_AARCH64_VOL_STUB_TAIL(esr_value, dispatcher, reload_result)                      \
  "  orr x9, x9, #%c[thread_mode]\n"                                                          \
  "  stp x30, x9, [sp, #%c[pc]]\n" /* pc = the return address; pstate = ELxt, caller's DAIF */ \
  "  movz x11, #(" esr_value " >> 16), lsl #16\n"                                             \
  "  movk x11, #(" esr_value " & 0xffff)\n"                                                   \
  "  stp x11, xzr, [sp, #%c[esr]]\n" /* esr, far */                                          \
  "  stp xzr, xzr, [sp, #%c[trap_kind]]\n" /* synchronous, no interrupt ID */                \
  "  mrs x11, fpcr\n"                                                                         \
  "  mrs x12, fpsr\n"                                                                         \
  "  stp x11, x12, [sp, #%c[fpcr]]\n"                                                         \
  "  mov x0, sp\n"                                                                            \
  "  bl " dispatcher "\n"                                                                     \
  "  cmp sp, x0\n"                                                                            \
  "  b.ne 6f\n"                                                                               \
  /* The same Context: x19-x29 and d8-d15 are still the thread's; reload the rest. */        \
  "  ldp x1, x2, [sp, #%c[pc]]\n"                                                             \
  "  msr " CTE_AARCH64_SYSREG_EL("elr") ", x1\n"                                             \
  "  msr " CTE_AARCH64_SYSREG_EL("spsr") ", x2\n"                                            \
  "  ldp x1, x2, [sp, #%c[fpcr]]\n"                                                           \
  "  msr fpcr, x1\n"                                                                          \
  "  msr fpsr, x2\n"                                                                          \
  reload_result                                                                               \
  "  ldp x30, x1, [sp, #" CTE_AARCH64_VOL_X_SLOT_(30) "]\n"                                  \
  "  .cfi_restore x30\n"                                                                      \
  "  mov sp, x1\n"                                                                            \
  "  .cfi_def_cfa sp, 0\n"                                                                    \
  "  eret\n"                                                                                  \
  "6:\n"                                                                                      \
  "  b cte_aarch64_el%c[el]_switch_away\n" /* x0 = the other Context, sp = this frame */      \
  CTE_AARCH64_VOL_PLACEMENT_SLOW_PATH

// The placement's rare half: x10 = the frame's place, x11 = the frame limit, x10 < x11.
// Overflow iff limit - place - 1 < 64 KiB (unsigned), as in the vector: then x10 = the reserved
// frame, marked stack_overflow, whose emergency stack lies below it. Otherwise the frame is far
// below the limit, on another stack (the boot stack, a fast-switch thread), and stays there.
#define CTE_AARCH64_VOL_PLACEMENT_SLOW_PATH                                                  \
  "  .cfi_restore_state\n"                                                                    \
  "8:\n"                                                                                      \
  "  sub x11, x11, x10\n"                                                                     \
  "  sub x11, x11, #1\n"                                                                      \
  "  lsr x11, x11, #%c[window_shift]\n"                                                       \
  "  cbnz x11, 9f\n"                                                                          \
  "  adrp x10, cte_aarch64_trap_scratch + %c[overflow_frame]\n"                               \
  "  add x10, x10, :lo12:cte_aarch64_trap_scratch + %c[overflow_frame]\n"                     \
  "  mov x11, #%c[stack_overflow]\n"                                                          \
  "  str x11, [x10, #%c[library_state]]\n"                                                    \
  "  b 7b\n"                                                                                  \
  "9:\n"                                                                                      \
  "  str xzr, [x10, #%c[library_state]]\n"                                                    \
  "  b 7b\n"

// Operands of the stubs.
#define CTE_AARCH64_VOL_STUB_OPERANDS                                                                       \
  [el] "i"(static_cast<unsigned>(L)), [frame_size] "i"(sizeof(Frame)), [x] "i"(offsetof(Frame, x)),         \
      [sp_slot] "i"(offsetof(Frame, sp)), [pc] "i"(offsetof(Frame, pc)), [esr] "i"(offsetof(Frame, esr)),   \
      [trap_kind] "i"(offsetof(Frame, trap_kind)), [fpcr] "i"(offsetof(Frame, fpcr)),                       \
      [library_state] "i"(offsetof(Frame, library.state)), [thread_mode] "i"(Level<L>::thread_mode),        \
      [window_shift] "i"(overflow_window_shift), [overflow_frame] "i"(offsetof(TrapScratch, overflow_frame)), \
      [stack_overflow] "i"(frame_state::stack_overflow)

static_assert(offsetof(TrapScratch, frame_limit) == 0, "the stubs load the frame limit from the symbol");
static_assert(sizeof(Frame) <= 4095 && sizeof(Frame) % stack_alignment == 0, "sub immediate; sp stays aligned");
static_assert(offsetof(Frame, sp) == offsetof(Frame, x) + 30 * 8 + 8 && offsetof(Frame, pstate) == offsetof(Frame, pc) + 8 &&
              offsetof(Frame, far) == offsetof(Frame, esr) + 8 &&
              offsetof(Frame, interrupt_id) == offsetof(Frame, trap_kind) + 8 &&
              offsetof(Frame, fpsr) == offsetof(Frame, fpcr) + 8, "stp/ldp pairs");
static_assert(static_cast<std::uint64_t>(TrapKind::synchronous) == 0, "stored as xzr");
static_assert((Level<ExceptionLevel::el1>::thread_mode & (pstate::fiq_mask | pstate::irq_mask | pstate::serror_mask |
                                                          pstate::debug_mask)) == 0 &&
              (Level<ExceptionLevel::el2>::thread_mode & (pstate::fiq_mask | pstate::irq_mask | pstate::serror_mask |
                                                          pstate::debug_mask)) == 0,
              "the mode bits and DAIF (as mrs daif reads them: SPSR's bit positions) are or-ed");
static_assert(svc_esr_of(voluntary_trap::thread_exit) < (std::uint64_t{1} << 32), "movz/movk halves");

// Emits level L's stubs. Never called: instantiating it (through install_vector_table and the
// port) makes every translation unit emit the COMDAT groups inside.
template <ExceptionLevel L>
[[gnu::used]] inline void emit_voluntary_entry() {
  asm volatile(
      // --- yield(): esr of svc #yield.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_el%c[el]_yield)
      CTE_AARCH64_VOL_STUB_HEAD(CTE_AARCH64_CFI_SAVED_AT_SP("30", CTE_AARCH64_VOL_X_SLOT_(30)))
      CTE_AARCH64_VOL_STUB_TAIL("%c[yield_esr]", "cte_aarch64_board_yield_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_aarch64_el%c[el]_yield)
      ::CTE_AARCH64_VOL_STUB_OPERANDS, [yield_esr] "i"(svc_esr_of(voluntary_trap::yield)));
  asm volatile(
      // --- syscall(a0..a5, number): a C call, the number arrives in x6 and goes to x8's slot;
      // the arguments stay in their registers' slots. esr of svc #0.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_el%c[el]_syscall)
      CTE_AARCH64_VOL_STUB_HEAD(CTE_AARCH64_CFI_SAVED_AT_SP("30", CTE_AARCH64_VOL_X_SLOT_(30)))
      "  stp x0, x1, [sp, #" CTE_AARCH64_VOL_X_SLOT_(0) "]\n"
      "  stp x2, x3, [sp, #" CTE_AARCH64_VOL_X_SLOT_(2) "]\n"
      "  stp x4, x5, [sp, #" CTE_AARCH64_VOL_X_SLOT_(4) "]\n"
      "  str x6, [sp, #" CTE_AARCH64_VOL_X_SLOT_(8) "]\n"
      CTE_AARCH64_VOL_STUB_TAIL("%c[syscall_esr]", "cte_aarch64_board_voluntary_dispatch",
                                "  ldr x0, [sp, #" CTE_AARCH64_VOL_X_SLOT_(0) "]\n")
      CTE_ASM_FUNCTION_END(cte_aarch64_el%c[el]_syscall)
      ::CTE_AARCH64_VOL_STUB_OPERANDS, [syscall_esr] "i"(svc_esr_of(voluntary_trap::syscall)));
  asm volatile(
      // --- thread exit: the x30 of every kcontext thread, reached by the `ret` of its entry
      // function (x30 still points here: pc = this stub). esr of svc #thread_exit; the
      // dispatcher refuses to resume it, so only switch_away follows. The outermost frame of a
      // kcontext thread: an unwinder looks the return address up as x30 - 1, which lands in the
      // never-executed nop, where x30 is undefined: a backtrace ends here.
      CTE_ASM_RETURN_TARGET_BEGIN(cte_aarch64_el%c[el]_thread_exit, ".cfi_undefined x30\n")
      CTE_AARCH64_VOL_STUB_HEAD("")
      CTE_AARCH64_VOL_STUB_TAIL("%c[exit_esr]", "cte_aarch64_board_voluntary_dispatch", "")
      CTE_ASM_FUNCTION_END(cte_aarch64_el%c[el]_thread_exit)
      ::CTE_AARCH64_VOL_STUB_OPERANDS, [exit_esr] "i"(svc_esr_of(voluntary_trap::thread_exit)));
  asm volatile(
      // --- switch_away(x0 = the Context to resume), sp = the voluntary frame a stub just saved
      // and dispatched: its callee-saved registers are still live (the dispatcher kept them);
      // store them, which completes the frame, then select SP_ELx (the vector's restore writes
      // SP_EL0, which SPSel = 0 forbids) and restore the other Context there.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_el%c[el]_switch_away)
      CTE_AARCH64_CFI_CFA_FROM_FRAME_AT_SP
      CTE_AARCH64_CFI_SAVED_AT_SP("30", CTE_AARCH64_VOL_X_SLOT_(30))
      CTE_AARCH64_VOL_STORE_X_PAIR_(19, 20) CTE_AARCH64_VOL_STORE_X_PAIR_(21, 22)
      CTE_AARCH64_VOL_STORE_X_PAIR_(23, 24) CTE_AARCH64_VOL_STORE_X_PAIR_(25, 26)
      CTE_AARCH64_VOL_STORE_X_PAIR_(27, 28)
      "  str x29, [sp, #" CTE_AARCH64_VOL_X_SLOT_(29) "]\n"
      CTE_AARCH64_VOL_STORE_Q_PAIR_(8, 9) CTE_AARCH64_VOL_STORE_Q_PAIR_(10, 11)
      CTE_AARCH64_VOL_STORE_Q_PAIR_(12, 13) CTE_AARCH64_VOL_STORE_Q_PAIR_(14, 15)
      "  msr spsel, #1\n"
      "  .cfi_def_cfa sp, 0\n"  // the exception stack: the stored thread is no caller of the restore
      "  .cfi_undefined x30\n"
      "  b cte_aarch64_el%c[el]_restore\n"
      CTE_ASM_FUNCTION_END(cte_aarch64_el%c[el]_switch_away)
      ::[el] "i"(static_cast<unsigned>(L)), [x] "i"(offsetof(Frame, x)), [q] "i"(offsetof(Frame, q)),
      [sp_slot] "i"(offsetof(Frame, sp)));
}

#undef CTE_AARCH64_VOL_X_SLOT_
#undef CTE_AARCH64_VOL_STORE_X_PAIR_
#undef CTE_AARCH64_VOL_STORE_Q_PAIR_
#undef CTE_AARCH64_VOL_STUB_HEAD
#undef CTE_AARCH64_VOL_STUB_TAIL
#undef CTE_AARCH64_VOL_PLACEMENT_SLOW_PATH
#undef CTE_AARCH64_VOL_STUB_OPERANDS

}  // namespace cte::aarch64::exception_level
// clang-format on
