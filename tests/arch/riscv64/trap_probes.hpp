#pragma once
// riscv64 probes for the hosted trap tests: instructions that trap, and a register holder for
// the preemption torture test. Each trapping probe returns normally once the handler has
// stepped over (or fixed up) the trapping instruction.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

#include "support/probed_register.hpp"

extern "C" {
// unimp (the 4-byte csrrw zero, cycle, zero: a write to a read-only CSR), then return: the
// result is whatever a0 holds after the trap, so a handler's set_return() is visible.
std::uint64_t cte_test_illegal_instruction();
void cte_test_breakpoint();  // ebreak (4 bytes, not c.ebreak)
// divu: RISC-V does not trap on division by zero, the quotient is all ones.
std::uint64_t cte_test_divide(std::uint64_t dividend, std::uint64_t divisor);
// lr.d: LR/SC and AMOs need natural alignment; a misaligned plain load does not trap under
// Linux (the kernel emulates it) nor qemu-user. SIGBUS BUS_ADRALN with si_addr = the address.
std::uint64_t cte_test_misaligned_load(const void *address);
// Loads every GPR but sp, gp and tp (28: ra, t0-t2, s0-s1, a0-a7, s2-s11, t3-t6 in register
// number order) and f0-f31 with patterns from table[], spins `iterations` times, then stores
// them all back into table[] (GPRs first, then f0-f31). Iterations are rounded up to a
// multiple of 28 (at least 28); `iterations` must be below 2^63.
void cte_test_hold_registers(std::uint64_t *table, std::uint64_t iterations);
}

namespace cte_test {

inline constexpr bool has_divide_by_zero_trap = false;
inline constexpr bool has_misaligned_trap = true;
inline constexpr bool misaligned_reports_address = true;
// gp and tp are left out: the signal handler (C++ code, libc) runs on the interrupted code's
// gp (linker-relaxed global accesses) and tp (errno, thread_local), which Linux does not set
// up for a handler. sp is the stack the Context is saved on.
inline constexpr unsigned held_gpr_words = 28;
inline constexpr unsigned held_fp_words = 32;
inline constexpr unsigned held_words = held_gpr_words + held_fp_words;
constexpr std::uint64_t held_pattern(unsigned, std::uint64_t bits) { return bits; }  // any bits fit

// Stack frame of cte_test_hold_registers.
struct HoldFrame {
  std::uint64_t ra;
  std::uint64_t s[12];
  std::uint64_t fs[12];
  std::uint64_t table;
  std::uint64_t count;  // iterations left
  std::uint64_t park;   // the pattern of the register that briefly holds the count
  std::uint64_t a0;     // a0's pattern while a0 points at the table again
  std::uint64_t unused;
};
static_assert(sizeof(HoldFrame) % 16 == 0 && sizeof(HoldFrame) < 2048);

// Held GPRs as assembler lists: register numbers (table word of xn: 0 for ra, n - 4 for n >= 5).
#define CTE_TEST_RISCV64_HELD_GPRS "1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define CTE_TEST_RISCV64_HELD_GPRS_BUT_A0 "1,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define CTE_TEST_RISCV64_FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define CTE_TEST_RISCV64_S_REGS "s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11"
#define CTE_TEST_RISCV64_FS_REGS "fs0,fs1,fs2,fs3,fs4,fs5,fs6,fs7,fs8,fs9,fs10,fs11"

[[gnu::used]] inline void emit_trap_probes() {
  asm(".pushsection .text.cte_test_illegal_instruction,\"axG\",@progbits,cte_test_illegal_instruction,comdat\n"
      ".globl cte_test_illegal_instruction\n.hidden cte_test_illegal_instruction\n"
      ".type cte_test_illegal_instruction,@function\n"
      "cte_test_illegal_instruction:\n"
      "  .4byte 0xc0001073\n"  // unimp, 32-bit form (GNU as would pick the 2-byte c.unimp)
      "  ret\n"
      ".size cte_test_illegal_instruction, .-cte_test_illegal_instruction\n.popsection\n"

      ".pushsection .text.cte_test_breakpoint,\"axG\",@progbits,cte_test_breakpoint,comdat\n"
      ".globl cte_test_breakpoint\n.hidden cte_test_breakpoint\n.type cte_test_breakpoint,@function\n"
      "cte_test_breakpoint:\n"
      "  .option push\n  .option norvc\n  ebreak\n  .option pop\n"
      "  ret\n"
      ".size cte_test_breakpoint, .-cte_test_breakpoint\n.popsection\n"

      ".pushsection .text.cte_test_divide,\"axG\",@progbits,cte_test_divide,comdat\n"
      ".globl cte_test_divide\n.hidden cte_test_divide\n.type cte_test_divide,@function\n"
      "cte_test_divide:\n  divu a0, a0, a1\n  ret\n"
      ".size cte_test_divide, .-cte_test_divide\n.popsection\n"

      ".pushsection .text.cte_test_misaligned_load,\"axG\",@progbits,cte_test_misaligned_load,comdat\n"
      ".globl cte_test_misaligned_load\n.hidden cte_test_misaligned_load\n.type cte_test_misaligned_load,@function\n"
      "cte_test_misaligned_load:\n  lr.d a0, (a0)\n  ret\n"
      ".size cte_test_misaligned_load, .-cte_test_misaligned_load\n.popsection\n");

  // cte_test_hold_registers(table = a0, iterations = a1).
  // The spin loop needs a register for its count while every held register holds a pattern:
  // each step parks one register's pattern on the stack, decrements the count in memory with
  // that register, and reloads the pattern. A round is 28 steps, one per held register, with
  // no branch but the loop test at its end, which uses the round's last register. Under
  // qemu-user a signal is taken only at the start of a translation block, i.e. after a branch:
  // the loop is unrolled 28 times so that the register under test there (the only one not
  // holding its pattern at that point, for one instruction) differs from round to round.
  // Every register thus holds its pattern at 27 of 28 preemption points, and a corrupted
  // parked pattern shows too. Each step counts as one iteration (whole rounds are run).
  asm volatile(
      ".pushsection .text.cte_test_hold_registers,\"axG\",@progbits,cte_test_hold_registers,comdat\n"
      ".globl cte_test_hold_registers\n.hidden cte_test_hold_registers\n"
      ".type cte_test_hold_registers,@function\n"
      "cte_test_hold_registers:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  sd ra, %[ra](sp)\n"
      "  .set .Lcte_hold_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  sd \\r, (%[s] + .Lcte_hold_i * 8)(sp)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n"
      "  .set .Lcte_hold_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  fsd \\r, (%[fs] + .Lcte_hold_i * 8)(sp)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n"
      "  sd a0, %[table](sp)\n"
      "  sd a1, %[count](sp)\n"
      // Load the patterns: FP registers, then every GPR with a0 (the table pointer) last.
      "  .irp n," CTE_TEST_RISCV64_FPRS
      "\n"
      "  fld f\\n, ((%[gprs] + \\n) * 8)(a0)\n"
      "  .endr\n"
      "  ld x1, 0(a0)\n"
      "  .irp n," CTE_TEST_RISCV64_HELD_GPRS_BUT_A0
      "\n"
      "  .if \\n >= 5\n"
      "  ld x\\n, ((\\n - 4) * 8)(a0)\n"
      "  .endif\n"
      "  .endr\n"
      "  ld a0, ((10 - 4) * 8)(a0)\n"
      // The spin loop: 28 rounds of 28 steps.
      "1:\n"
      "  .irp k," CTE_TEST_RISCV64_HELD_GPRS
      "\n"
      "  .irp n," CTE_TEST_RISCV64_HELD_GPRS
      "\n"
      "  .if \\n != \\k\n"
      "  sd x\\n, %[park](sp)\n"
      "  ld x\\n, %[count](sp)\n"
      "  addi x\\n, x\\n, -1\n"
      "  sd x\\n, %[count](sp)\n"
      "  ld x\\n, %[park](sp)\n"
      "  .endif\n"
      "  .endr\n"
      "  sd x\\k, %[park](sp)\n"
      "  ld x\\k, %[count](sp)\n"
      "  addi x\\k, x\\k, -1\n"
      "  sd x\\k, %[count](sp)\n"
      "  bgtz x\\k, 2f\n"
      "  ld x\\k, %[park](sp)\n"
      "  j 9f\n"
      "2:\n"
      "  ld x\\k, %[park](sp)\n"
      "  .endr\n"
      "  j 1b\n"
      // Store everything back: a0 is parked while it points at the table.
      "9:\n"
      "  sd a0, %[a0](sp)\n"
      "  ld a0, %[table](sp)\n"
      "  sd x1, 0(a0)\n"
      "  .irp n," CTE_TEST_RISCV64_HELD_GPRS_BUT_A0
      "\n"
      "  .if \\n >= 5\n"
      "  sd x\\n, ((\\n - 4) * 8)(a0)\n"
      "  .endif\n"
      "  .endr\n"
      "  .irp n," CTE_TEST_RISCV64_FPRS
      "\n"
      "  fsd f\\n, ((%[gprs] + \\n) * 8)(a0)\n"
      "  .endr\n"
      "  ld t0, %[a0](sp)\n"
      "  sd t0, ((10 - 4) * 8)(a0)\n"
      // The caller's registers.
      "  .set .Lcte_hold_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  ld \\r, (%[s] + .Lcte_hold_i * 8)(sp)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n"
      "  .set .Lcte_hold_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  fld \\r, (%[fs] + .Lcte_hold_i * 8)(sp)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n"
      "  ld ra, %[ra](sp)\n"
      "  addi sp, sp, %[frame_size]\n"
      "  ret\n"
      ".size cte_test_hold_registers, .-cte_test_hold_registers\n"
      ".popsection\n" ::[frame_size] "i"(sizeof(HoldFrame)),
      [ra] "i"(offsetof(HoldFrame, ra)), [s] "i"(offsetof(HoldFrame, s)), [fs] "i"(offsetof(HoldFrame, fs)),
      [table] "i"(offsetof(HoldFrame, table)), [count] "i"(offsetof(HoldFrame, count)),
      [park] "i"(offsetof(HoldFrame, park)), [a0] "i"(offsetof(HoldFrame, a0)), [gprs] "i"(held_gpr_words));
}

// The registers the probe's negative test changes in a trap frame: s11 (x27) and f31.
inline constexpr ProbedRegister probed_gpr{27 - 4, offsetof(cte::Context::Frame, x[27])};
inline constexpr ProbedRegister probed_fp{held_gpr_words + 31, offsetof(cte::Context::Frame, f[31])};

}  // namespace cte_test
