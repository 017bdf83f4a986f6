#pragma once
// riscv64 register-preservation probe for the tests: loads patterns derived from a seed into
// every callee-saved GPR (s0-s11) and every callee-saved FP register (fs0-fs11), calls
// fn(arg), and reports in a bit mask which of them came back changed: bit i for s<i>
// (i < 12), bit 12 + i for fs<i>. sp is checked implicitly (the probe would not return
// correctly without it); ra is not callee-saved. The FP control/status register (fcsr) is
// checked by the portable fenv tests.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

extern "C" std::uint64_t cte_test_call_with_patterns(void (*fn)(void *), void *arg, std::uint64_t seed);

namespace cte_test {

inline constexpr unsigned callee_saved_gpr_count = 12;
inline constexpr unsigned callee_saved_fp_count = 12;
inline constexpr const char *callee_saved_names[] = {"s0",  "s1",  "s2",  "s3",  "s4",  "s5",  "s6",   "s7",
                                                     "s8",  "s9",  "s10", "s11", "fs0", "fs1", "fs2",  "fs3",
                                                     "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11"};
static_assert(sizeof(callee_saved_names) / sizeof(callee_saved_names[0]) ==
              callee_saved_gpr_count + callee_saved_fp_count);

// Where a trap frame keeps callee-saved register i (the probe's negative test changes it there):
// s0-s1 are x8-x9 and s2-s11 x18-x27; the same numbers for fs0-fs11 among f0-f31.
constexpr std::size_t callee_saved_frame_offset(unsigned i) {
  using Frame = cte::Context::Frame;
  const bool fp = i >= callee_saved_gpr_count;
  const unsigned index = fp ? i - callee_saved_gpr_count : i;
  const unsigned number = index < 2 ? 8 + index : 16 + index;
  return (fp ? offsetof(Frame, f) : offsetof(Frame, x)) + number * sizeof(std::uint64_t);
}

// Pattern for register i: distinct per register and per seed, never 0.
constexpr std::uint64_t pattern(std::uint64_t seed, unsigned i) {
  return (seed * 0x9e3779b97f4a7c15ull) ^ (0x0101010101010101ull * (i + 1)) ^ 0x8000000000000001ull;
}

// The probe's stack frame: the pattern table (GPR patterns, then FP patterns), then the
// caller's ra and callee-saved registers, which the probe itself must preserve.
struct ProbeFrame {
  std::uint64_t table[callee_saved_gpr_count + callee_saved_fp_count];
  std::uint64_t ra;
  std::uint64_t saved_s[callee_saved_gpr_count];
  std::uint64_t saved_fs[callee_saved_fp_count];
  std::uint64_t unused;
};
static_assert(sizeof(ProbeFrame) % 16 == 0 && sizeof(ProbeFrame) < 2048);

#define CTE_TEST_RISCV64_S_REGS "s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11"
#define CTE_TEST_RISCV64_FS_REGS "fs0,fs1,fs2,fs3,fs4,fs5,fs6,fs7,fs8,fs9,fs10,fs11"

[[gnu::used]] inline void emit_register_check() {
  // cte_test_call_with_patterns(fn = a0, arg = a1, seed = a2): saves ra, s0-s11 and fs0-fs11
  // (ours to preserve), fills the table with pattern(seed, i) computed in C++, loads it into
  // s0-s11 / fs0-fs11 (raw bits: fld moves them unchanged), calls fn(arg) through t1, then
  // sets bit i of the result for every register that differs from its table entry.
  // .Lcte_probe_i counts registers within each .irp loop.
  asm volatile(
      ".pushsection .text.cte_test_call_with_patterns,\"axG\",@progbits,cte_test_call_with_patterns,comdat\n"
      ".globl cte_test_call_with_patterns\n.hidden cte_test_call_with_patterns\n"
      ".type cte_test_call_with_patterns,@function\n"
      "cte_test_call_with_patterns:\n"
      "  addi sp, sp, -%[frame_size]\n"
      "  sd ra, %[ra](sp)\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  sd \\r, (%[saved_s] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  fsd \\r, (%[saved_fs] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  mv s0, a0\n"  // fn and arg survive the fill call in callee-saved registers
      "  mv s1, a1\n"
      "  addi a0, sp, %[table]\n"
      "  mv a1, a2\n"
      "  call cte_test_fill_patterns\n"  // table[i] = pattern(seed, i)
      "  mv t1, s0\n"
      "  mv a0, s1\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  ld \\r, (%[table] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  fld \\r, (%[table] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  jalr t1\n"
      "  li a0, 0\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  ld t0, (%[table] + .Lcte_probe_i * %[word])(sp)\n"
      "  xor t0, t0, \\r\n"
      "  snez t0, t0\n"
      "  slli t0, t0, .Lcte_probe_i\n"
      "  or a0, a0, t0\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  ld t0, (%[table] + .Lcte_probe_i * %[word])(sp)\n"
      "  fmv.x.d t1, \\r\n"
      "  xor t0, t0, t1\n"
      "  snez t0, t0\n"
      "  slli t0, t0, .Lcte_probe_i\n"
      "  or a0, a0, t0\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_S_REGS
      "\n"
      "  ld \\r, (%[saved_s] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  .set .Lcte_probe_i, 0\n"
      "  .irp r," CTE_TEST_RISCV64_FS_REGS
      "\n"
      "  fld \\r, (%[saved_fs] + .Lcte_probe_i * %[word])(sp)\n"
      "  .set .Lcte_probe_i, .Lcte_probe_i + 1\n"
      "  .endr\n"
      "  ld ra, %[ra](sp)\n"
      "  addi sp, sp, %[frame_size]\n"
      "  ret\n"
      ".size cte_test_call_with_patterns, .-cte_test_call_with_patterns\n"
      ".popsection\n" ::[frame_size] "i"(sizeof(ProbeFrame)),
      [table] "i"(offsetof(ProbeFrame, table)), [ra] "i"(offsetof(ProbeFrame, ra)),
      [saved_s] "i"(offsetof(ProbeFrame, saved_s)), [saved_fs] "i"(offsetof(ProbeFrame, saved_fs)),
      [word] "i"(sizeof(std::uint64_t)));
}

}  // namespace cte_test

extern "C" [[gnu::used]] inline void cte_test_fill_patterns(std::uint64_t *table, std::uint64_t seed) {
  for (unsigned i = 0; i < cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count; ++i)
    table[i] = cte_test::pattern(seed, i);
}
