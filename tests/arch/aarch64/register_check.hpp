#pragma once
// aarch64 register-preservation probe for the tests: loads patterns derived from a seed into
// every callee-saved register of AAPCS64 — the GPRs x19-x29 and the FP registers d8-d15 (the
// low 64 bits of v8-v15, all the ABI keeps of them) — calls fn(arg), and reports in a bit mask
// which of them came back changed: bits 0-10 are x19-x29, bits 11-18 are d8-d15.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

extern "C" std::uint64_t cte_test_call_with_patterns(void (*fn)(void *), void *arg, std::uint64_t seed);

namespace cte_test {

inline constexpr unsigned callee_saved_gpr_count = 11;
inline constexpr unsigned callee_saved_fp_count = 8;
inline constexpr const char *callee_saved_names[] = {"x19", "x20", "x21", "x22", "x23", "x24", "x25",
                                                     "x26", "x27", "x28", "x29", "d8",  "d9",  "d10",
                                                     "d11", "d12", "d13", "d14", "d15"};
static_assert(sizeof(callee_saved_names) / sizeof(callee_saved_names[0]) ==
              callee_saved_gpr_count + callee_saved_fp_count);

// Where a trap frame keeps callee-saved register i (the probe's negative test changes it there):
// x19-x29, then d8-d15 (the low halves of q8-q15).
constexpr std::size_t callee_saved_frame_offset(unsigned i) {
  using Frame = cte::Context::Frame;
  return i < callee_saved_gpr_count
             ? offsetof(Frame, x) + (19 + i) * sizeof(std::uint64_t)
             : offsetof(Frame, q) + (8 + i - callee_saved_gpr_count) * sizeof(cte::aarch64::VectorRegister);
}

// Pattern for register i: distinct per register and per seed, never 0.
constexpr std::uint64_t pattern(std::uint64_t seed, unsigned i) {
  return (seed * 0x9e3779b97f4a7c15ull) ^ (0x0101010101010101ull * (i + 1)) ^ 0x8000000000000001ull;
}

// The probe's stack frame. The caller's x19-x30 and d8-d15 are ours to preserve, so they are
// saved here too; the table holds pattern(seed, i) for every probed register.
struct ProbeFrame {
  std::uint64_t table[callee_saved_gpr_count + callee_saved_fp_count];
  std::uint64_t fn;
  std::uint64_t arg;
  std::uint64_t saved_x[12];  // x19-x30
  std::uint64_t saved_d[8];   // d8-d15
};
inline constexpr std::size_t probe_frame_size = (sizeof(ProbeFrame) + 15) & ~std::size_t{15};

// One probed register: `reg` compared with table[index]; the bit of `index` set if they differ.
#define CTE_TEST_CHECK_GPR(reg, index)    \
  "  ldr x10, [sp, #(%c[table] + " #index \
  " * %c[word])]\n"                       \
  "  cmp " #reg                           \
  ", x10\n"                               \
  "  cset x11, ne\n"                      \
  "  orr x0, x0, x11, lsl #" #index "\n"
#define CTE_TEST_CHECK_FP(reg, index)     \
  "  fmov x12, " #reg                     \
  "\n"                                    \
  "  ldr x10, [sp, #(%c[table] + " #index \
  " * %c[word])]\n"                       \
  "  cmp x12, x10\n"                      \
  "  cset x11, ne\n"                      \
  "  orr x0, x0, x11, lsl #" #index "\n"

[[gnu::used]] inline void emit_register_check() {
  // cte_test_call_with_patterns(fn = x0, arg = x1, seed = x2): saves the callee-saved
  // registers, fills the table (C++ computes the patterns), loads x19-x29 and d8-d15 from it,
  // calls fn(arg), then compares each register with its table entry into the mask in x0.
  asm(".pushsection .text.cte_test_call_with_patterns,\"axG\",@progbits,cte_test_call_with_patterns,comdat\n"
      ".globl cte_test_call_with_patterns\n.hidden cte_test_call_with_patterns\n"
      ".type cte_test_call_with_patterns,@function\n"
      ".p2align 2\n"
      "cte_test_call_with_patterns:\n"
      "  sub sp, sp, #%c[size]\n"
      "  stp x19, x20, [sp, #(%c[saved_x] + 0 * %c[word])]\n"
      "  stp x21, x22, [sp, #(%c[saved_x] + 2 * %c[word])]\n"
      "  stp x23, x24, [sp, #(%c[saved_x] + 4 * %c[word])]\n"
      "  stp x25, x26, [sp, #(%c[saved_x] + 6 * %c[word])]\n"
      "  stp x27, x28, [sp, #(%c[saved_x] + 8 * %c[word])]\n"
      "  stp x29, x30, [sp, #(%c[saved_x] + 10 * %c[word])]\n"
      "  stp d8, d9, [sp, #(%c[saved_d] + 0 * %c[word])]\n"
      "  stp d10, d11, [sp, #(%c[saved_d] + 2 * %c[word])]\n"
      "  stp d12, d13, [sp, #(%c[saved_d] + 4 * %c[word])]\n"
      "  stp d14, d15, [sp, #(%c[saved_d] + 6 * %c[word])]\n"
      "  stp x0, x1, [sp, #%c[fn]]\n"  // fn, arg
      "  add x0, sp, #%c[table]\n"
      "  mov x1, x2\n"
      "  bl cte_test_fill_patterns\n"  // table[i] = pattern(seed, i)
      "  ldp x9, x0, [sp, #%c[fn]]\n"
      "  ldp x19, x20, [sp, #(%c[table] + 0 * %c[word])]\n"
      "  ldp x21, x22, [sp, #(%c[table] + 2 * %c[word])]\n"
      "  ldp x23, x24, [sp, #(%c[table] + 4 * %c[word])]\n"
      "  ldp x25, x26, [sp, #(%c[table] + 6 * %c[word])]\n"
      "  ldp x27, x28, [sp, #(%c[table] + 8 * %c[word])]\n"
      "  ldr x29, [sp, #(%c[table] + 10 * %c[word])]\n"
      "  ldr d8, [sp, #(%c[table] + 11 * %c[word])]\n"
      "  ldr d9, [sp, #(%c[table] + 12 * %c[word])]\n"
      "  ldr d10, [sp, #(%c[table] + 13 * %c[word])]\n"
      "  ldr d11, [sp, #(%c[table] + 14 * %c[word])]\n"
      "  ldr d12, [sp, #(%c[table] + 15 * %c[word])]\n"
      "  ldr d13, [sp, #(%c[table] + 16 * %c[word])]\n"
      "  ldr d14, [sp, #(%c[table] + 17 * %c[word])]\n"
      "  ldr d15, [sp, #(%c[table] + 18 * %c[word])]\n"
      "  blr x9\n"
      "  mov x0, xzr\n"
      CTE_TEST_CHECK_GPR(x19, 0) CTE_TEST_CHECK_GPR(x20, 1) CTE_TEST_CHECK_GPR(x21, 2)
      CTE_TEST_CHECK_GPR(x22, 3) CTE_TEST_CHECK_GPR(x23, 4) CTE_TEST_CHECK_GPR(x24, 5)
      CTE_TEST_CHECK_GPR(x25, 6) CTE_TEST_CHECK_GPR(x26, 7) CTE_TEST_CHECK_GPR(x27, 8)
      CTE_TEST_CHECK_GPR(x28, 9) CTE_TEST_CHECK_GPR(x29, 10)
      CTE_TEST_CHECK_FP(d8, 11) CTE_TEST_CHECK_FP(d9, 12) CTE_TEST_CHECK_FP(d10, 13)
      CTE_TEST_CHECK_FP(d11, 14) CTE_TEST_CHECK_FP(d12, 15) CTE_TEST_CHECK_FP(d13, 16)
      CTE_TEST_CHECK_FP(d14, 17) CTE_TEST_CHECK_FP(d15, 18)
      "  ldp x19, x20, [sp, #(%c[saved_x] + 0 * %c[word])]\n"
      "  ldp x21, x22, [sp, #(%c[saved_x] + 2 * %c[word])]\n"
      "  ldp x23, x24, [sp, #(%c[saved_x] + 4 * %c[word])]\n"
      "  ldp x25, x26, [sp, #(%c[saved_x] + 6 * %c[word])]\n"
      "  ldp x27, x28, [sp, #(%c[saved_x] + 8 * %c[word])]\n"
      "  ldp x29, x30, [sp, #(%c[saved_x] + 10 * %c[word])]\n"
      "  ldp d8, d9, [sp, #(%c[saved_d] + 0 * %c[word])]\n"
      "  ldp d10, d11, [sp, #(%c[saved_d] + 2 * %c[word])]\n"
      "  ldp d12, d13, [sp, #(%c[saved_d] + 4 * %c[word])]\n"
      "  ldp d14, d15, [sp, #(%c[saved_d] + 6 * %c[word])]\n"
      "  add sp, sp, #%c[size]\n"
      "  ret\n"
      ".size cte_test_call_with_patterns, .-cte_test_call_with_patterns\n"
      ".popsection\n" ::[size] "i"(probe_frame_size),
      [table] "i"(offsetof(ProbeFrame, table)), [fn] "i"(offsetof(ProbeFrame, fn)),
      [saved_x] "i"(offsetof(ProbeFrame, saved_x)), [saved_d] "i"(offsetof(ProbeFrame, saved_d)),
      [word] "i"(sizeof(std::uint64_t)));
}

#undef CTE_TEST_CHECK_GPR
#undef CTE_TEST_CHECK_FP

}  // namespace cte_test

extern "C" [[gnu::used]] inline void cte_test_fill_patterns(std::uint64_t *table, std::uint64_t seed) {
  for (unsigned i = 0; i < cte_test::callee_saved_gpr_count + cte_test::callee_saved_fp_count; ++i)
    table[i] = cte_test::pattern(seed, i);
}
