#pragma once
// riscv64 (RV64GC, lp64d) trap frame: what trap entry saves and restore reloads.
// Assembly reads every offset from this type (offsetof as asm operands).
//
// Register file: x[n] holds register xn (x[0], the hard-wired zero, is never stored or
// loaded); f[n] holds fn as its raw 64-bit pattern. Use the names in namespace reg / freg
// (x[reg::a0], f[freg::fs0]) rather than bare numbers.
//
// Restore scratch register: RISC-V has no instruction that loads the pc from memory, so the
// restore path jumps through a register. For frames with frame_state::asynchronous clear
// (voluntary traps: calls) it uses t6 (x31), which is caller-saved and therefore dead at the
// call. Hosted, a resumed voluntary frame gets back what a call keeps (sp, gp, tp, s0-s11,
// fs0-fs11, fcsr), ra and a0 (the return value); its other caller-saved registers are dead
// at the call and are not loaded (a yield does not even store them: hosted trap_entry.hpp).
// Frames with frame_state::asynchronous set must come back exactly, t6 included: user mode
// cannot do that, so hosted the restore path hands them to the kernel's sigreturn
// (cte_hosted_resume_asynchronous). Bare metal resumes both kinds with sret/mret (no scratch
// register), and a voluntary frame there holds only what a call keeps, plus a7, a0-a5 (see
// privileged/voluntary_entry.hpp; its callee-saved registers are stored when the thread is
// switched away from).
//
// FP control/status policy: the RISC-V psABI gives fcsr (rounding mode frm + accrued
// exception flags fflags) thread storage duration, as C11 7.6 <fenv.h> does for the floating-
// point environment. Every cte thread therefore owns its fcsr: each frame carries it and
// restore reloads it, so a rounding mode set by one thread is never seen by another.

#include <cstddef>
#include <cstdint>

#include <cte/library_words.hpp>

namespace cte::riscv64 {

// Integer register numbers (RISC-V psABI names). x[n] of a Frame is register xn.
namespace reg {
inline constexpr unsigned zero = 0;
inline constexpr unsigned ra = 1;  // return address
inline constexpr unsigned sp = 2;  // stack pointer
inline constexpr unsigned gp = 3;  // global pointer
inline constexpr unsigned tp = 4;  // thread pointer
inline constexpr unsigned t0 = 5, t1 = 6, t2 = 7;
inline constexpr unsigned s0 = 8, fp = 8, s1 = 9;  // s0 doubles as the frame pointer
inline constexpr unsigned a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17;
inline constexpr unsigned s2 = 18, s3 = 19, s4 = 20, s5 = 21, s6 = 22, s7 = 23, s8 = 24, s9 = 25, s10 = 26, s11 = 27;
inline constexpr unsigned t3 = 28, t4 = 29, t5 = 30, t6 = 31;
inline constexpr unsigned count = 32;
// The register the restore of a voluntary frame clobbers (it carries the pc for the jump).
inline constexpr unsigned restore_scratch = t6;
}  // namespace reg

// Floating-point register numbers (psABI names). f[n] of a Frame is register fn.
namespace freg {
inline constexpr unsigned ft0 = 0, ft7 = 7;
inline constexpr unsigned fs0 = 8, fs1 = 9;  // callee-saved
inline constexpr unsigned fa0 = 10, fa7 = 17;
inline constexpr unsigned fs2 = 18, fs11 = 27;  // fs2..fs11 callee-saved
inline constexpr unsigned ft8 = 28, ft11 = 31;
inline constexpr unsigned count = 32;
}  // namespace freg

// mcause/scause values (privileged spec): exception codes, and interrupt codes with bit 63 set.
namespace cause {
inline constexpr std::uint64_t interrupt_bit = std::uint64_t{1} << 63;
inline constexpr std::uint64_t instruction_misaligned = 0;
inline constexpr std::uint64_t instruction_access_fault = 1;
inline constexpr std::uint64_t illegal_instruction = 2;
inline constexpr std::uint64_t breakpoint = 3;
inline constexpr std::uint64_t load_misaligned = 4;
inline constexpr std::uint64_t load_access_fault = 5;
inline constexpr std::uint64_t store_misaligned = 6;  // store/AMO
inline constexpr std::uint64_t store_access_fault = 7;
inline constexpr std::uint64_t ecall_from_u = 8;
inline constexpr std::uint64_t ecall_from_s = 9;
inline constexpr std::uint64_t ecall_from_m = 11;
inline constexpr std::uint64_t instruction_page_fault = 12;
inline constexpr std::uint64_t load_page_fault = 13;
inline constexpr std::uint64_t store_page_fault = 15;  // store/AMO
// Hosted only: a signal that has no RISC-V trap equivalent (SIGFPE, which RISC-V never raises:
// it has no FP or divide traps, so only software sends it). 24 lies in the range the
// privileged spec reserves for custom use; tval holds the signal number.
inline constexpr std::uint64_t hosted_unmapped_signal = 24;
inline constexpr std::uint64_t supervisor_software_interrupt = interrupt_bit | 1;
inline constexpr std::uint64_t machine_software_interrupt = interrupt_bit | 3;
inline constexpr std::uint64_t supervisor_timer_interrupt = interrupt_bit | 5;
inline constexpr std::uint64_t machine_timer_interrupt = interrupt_bit | 7;
inline constexpr std::uint64_t supervisor_external_interrupt = interrupt_bit | 9;
inline constexpr std::uint64_t machine_external_interrupt = interrupt_bit | 11;

constexpr bool is_ecall(std::uint64_t raw) { return raw == ecall_from_u || raw == ecall_from_s || raw == ecall_from_m; }
}  // namespace cause

struct alignas(16) Frame {
  std::uint64_t x[reg::count];  // x[n] = register xn; x[0] unused
  std::uint64_t pc;             // mepc/sepc: where the thread resumes
  // Why the trap happened.
  std::uint64_t cause;   // mcause/scause, interrupt bit 63 included (hosted: the same encoding)
  std::uint64_t tval;    // mtval/stval: fault address or instruction bits; interrupt payload
  std::uint64_t status;  // mstatus/sstatus on bare metal; 0 hosted
  // External interrupts only: the identity of the source that was claimed (bare metal: the
  // PLIC claim ID; hosted: the external line's payload), valid when irq_id_valid != 0. The
  // decoder reports it as the event's cause and ref; without it the cause is the raw scause.
  std::uint64_t irq_id;
  std::uint64_t irq_id_valid;
  // The library's own words (cte/library_words.hpp).
  LibraryWords library;
  // FP registers (raw bits). With frame_state::asynchronous clear only fs0-fs1, fs2-fs11 and
  // fcsr are meaningful: a voluntary trap (a call) need not keep caller-saved FP registers.
  std::uint64_t f[freg::count];
  std::uint64_t fcsr;    // frm (bits 7:5) and fflags (bits 4:0)
  std::uint64_t unused;  // pads the frame to a multiple of 16 bytes
};
static_assert(alignof(Frame) == 16);
static_assert(sizeof(Frame) % 16 == 0, "frames stack at 16-byte alignment");
static_assert(sizeof(Frame) == 608);
// Every field is reachable with a 12-bit signed load/store offset from the frame base.
static_assert(sizeof(Frame) <= 2048);

// Byte offsets of one register's slot (for asm operands).
constexpr std::size_t gpr_offset(unsigned n) { return offsetof(Frame, x) + n * sizeof(std::uint64_t); }
constexpr std::size_t fpr_offset(unsigned n) { return offsetof(Frame, f) + n * sizeof(std::uint64_t); }

}  // namespace cte::riscv64
