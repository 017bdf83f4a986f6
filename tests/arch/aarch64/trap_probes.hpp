#pragma once
// aarch64 probes for the hosted trap tests: instructions that trap, and a register holder for
// the preemption torture test. Each trapping probe returns normally once the handler has
// stepped over (or fixed up) the trapping instruction.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

#include "support/probed_register.hpp"

extern "C" {
// udf #0, then return: the result is whatever x0 holds after the trap, so a handler's
// set_return() is visible to the caller.
std::uint64_t cte_test_illegal_instruction();
void cte_test_breakpoint();                                                    // brk #0
std::uint64_t cte_test_divide(std::uint64_t dividend, std::uint64_t divisor);  // udiv: 0 for 0, no trap
// ldxr on the address: exclusive loads always check alignment, so a misaligned one faults
// (SIGBUS BUS_ADRALN with the address) where a plain ldr would just work. Returns the loaded
// value, or the address itself if the handler skipped the ldxr.
std::uint64_t cte_test_misaligned_load(const void *address);
// Loads x0-x30 and q0-q31 with patterns from table[], spins `iterations` (>= 1) times, then
// stores them all back into table[] (x0-x30 first, then each q register as 2 words, low half
// first). Only SP is not held.
void cte_test_hold_registers(std::uint64_t *table, std::uint64_t iterations);
// The same registers and table, held across a brk #0 instead of the spin.
void cte_test_hold_registers_across_trap(std::uint64_t *table);
}

namespace cte_test {

inline constexpr bool has_divide_by_zero_trap = false;    // udiv/sdiv by zero return 0
inline constexpr bool has_misaligned_trap = true;         // via an exclusive load (see above)
inline constexpr bool misaligned_reports_address = true;  // si_addr -> FAR -> Event::ref
// x0-x30 (31), then q0-q31 as 64 words.
inline constexpr unsigned held_gpr_words = 31;
inline constexpr unsigned held_fp_words = 64;
inline constexpr unsigned held_words = held_gpr_words + held_fp_words;
constexpr std::uint64_t held_pattern(unsigned, std::uint64_t bits) { return bits; }  // any bits fit
// cte_test_hold_registers_across_trap's table: the same.
inline constexpr unsigned trap_held_words = held_words;
constexpr std::uint64_t trap_held_pattern(unsigned word, std::uint64_t bits) { return held_pattern(word, bits); }

namespace hold_layout {
inline constexpr std::size_t q_table = held_gpr_words * 8;  // byte offset of q0 in the table
// The probe's stack frame.
inline constexpr std::size_t counter = 0;    // iterations left
inline constexpr std::size_t table = 8;      // the table pointer
inline constexpr std::size_t parked = 16;    // x0's held value while x0 counts
inline constexpr std::size_t saved_x = 32;   // x19-x30
inline constexpr std::size_t saved_d = 128;  // d8-d15
inline constexpr std::size_t size = 192;
}  // namespace hold_layout

#define CTE_TEST_Q_PAIRS(op)                                            \
  "  " op " q0, q1, [x1, #0]\n  " op " q2, q3, [x1, #32]\n  " op        \
  " q4, q5, [x1, #64]\n"                                                \
  "  " op " q6, q7, [x1, #96]\n  " op " q8, q9, [x1, #128]\n  " op      \
  " q10, q11, [x1, #160]\n"                                             \
  "  " op " q12, q13, [x1, #192]\n  " op " q14, q15, [x1, #224]\n  " op \
  " q16, q17, [x1, #256]\n"                                             \
  "  " op " q18, q19, [x1, #288]\n  " op " q20, q21, [x1, #320]\n  " op \
  " q22, q23, [x1, #352]\n"                                             \
  "  " op " q24, q25, [x1, #384]\n  " op " q26, q27, [x1, #416]\n  " op \
  " q28, q29, [x1, #448]\n"                                             \
  "  " op " q30, q31, [x1, #480]\n"
// x1-x30 in pairs at table[1..30] (x0 is handled on its own).
#define CTE_TEST_X_PAIRS(op)                                            \
  "  " op " x1, x2, [x0, #8]\n  " op " x3, x4, [x0, #24]\n  " op        \
  " x5, x6, [x0, #40]\n"                                                \
  "  " op " x7, x8, [x0, #56]\n  " op " x9, x10, [x0, #72]\n  " op      \
  " x11, x12, [x0, #88]\n"                                              \
  "  " op " x13, x14, [x0, #104]\n  " op " x15, x16, [x0, #120]\n  " op \
  " x17, x18, [x0, #136]\n"                                             \
  "  " op " x19, x20, [x0, #152]\n  " op " x21, x22, [x0, #168]\n  " op \
  " x23, x24, [x0, #184]\n"                                             \
  "  " op " x25, x26, [x0, #200]\n  " op " x27, x28, [x0, #216]\n  " op " x29, x30, [x0, #232]\n"

#define CTE_TEST_AARCH64_HOLD_PROBE(name, hold) \
  ".pushsection .text." name ",\"axG\",@progbits," name ",comdat\n" \
  ".globl " name "\n.hidden " name "\n" \
  ".type " name ",@function\n.p2align 2\n" \
  name ":\n" \
  "  sub sp, sp, #%c[size]\n" \
  "  str x1, [sp, #%c[counter]]\n" \
  "  str x0, [sp, #%c[table]]\n" \
  "  stp x19, x20, [sp, #(%c[saved_x] + 0)]\n" \
  "  stp x21, x22, [sp, #(%c[saved_x] + 16)]\n" \
  "  stp x23, x24, [sp, #(%c[saved_x] + 32)]\n" \
  "  stp x25, x26, [sp, #(%c[saved_x] + 48)]\n" \
  "  stp x27, x28, [sp, #(%c[saved_x] + 64)]\n" \
  "  stp x29, x30, [sp, #(%c[saved_x] + 80)]\n" \
  "  stp d8, d9, [sp, #(%c[saved_d] + 0)]\n" \
  "  stp d10, d11, [sp, #(%c[saved_d] + 16)]\n" \
  "  stp d12, d13, [sp, #(%c[saved_d] + 32)]\n" \
  "  stp d14, d15, [sp, #(%c[saved_d] + 48)]\n" \
  "  add x1, x0, #%c[q_table]\n" \
  CTE_TEST_Q_PAIRS("ldp") \
  CTE_TEST_X_PAIRS("ldp") \
  "  ldr x0, [x0, #0]\n" \
  hold \
  "  str x0, [sp, #%c[parked]]\n" \
  "  ldr x0, [sp, #%c[table]]\n" \
  CTE_TEST_X_PAIRS("stp") \
  "  ldr x1, [sp, #%c[parked]]\n" \
  "  str x1, [x0, #0]\n" \
  "  add x1, x0, #%c[q_table]\n" \
  CTE_TEST_Q_PAIRS("stp") \
  "  ldp x19, x20, [sp, #(%c[saved_x] + 0)]\n" \
  "  ldp x21, x22, [sp, #(%c[saved_x] + 16)]\n" \
  "  ldp x23, x24, [sp, #(%c[saved_x] + 32)]\n" \
  "  ldp x25, x26, [sp, #(%c[saved_x] + 48)]\n" \
  "  ldp x27, x28, [sp, #(%c[saved_x] + 64)]\n" \
  "  ldp x29, x30, [sp, #(%c[saved_x] + 80)]\n" \
  "  ldp d8, d9, [sp, #(%c[saved_d] + 0)]\n" \
  "  ldp d10, d11, [sp, #(%c[saved_d] + 16)]\n" \
  "  ldp d12, d13, [sp, #(%c[saved_d] + 32)]\n" \
  "  ldp d14, d15, [sp, #(%c[saved_d] + 48)]\n" \
  "  add sp, sp, #%c[size]\n" \
  "  ret\n" \
  ".size " name ", .-" name "\n" \
  ".popsection\n"
#define CTE_TEST_AARCH64_HOLD_OPERANDS                                                                             \
  [size] "i"(hold_layout::size), [counter] "i"(hold_layout::counter), [table] "i"(hold_layout::table),             \
      [parked] "i"(hold_layout::parked), [saved_x] "i"(hold_layout::saved_x), [saved_d] "i"(hold_layout::saved_d), \
      [q_table] "i"(hold_layout::q_table)
#define CTE_TEST_AARCH64_HOLD_SPIN \
  "1:\n"                           \
  "  str x0, [sp, #%c[parked]]\n"  \
  "  ldr x0, [sp, #%c[counter]]\n" \
  "  subs x0, x0, #1\n"            \
  "  str x0, [sp, #%c[counter]]\n" \
  "  ldr x0, [sp, #%c[parked]]\n"  \
  "  b.ne 1b\n"

[[gnu::used]] inline void emit_trap_probes() {
  asm(".pushsection .text.cte_test_illegal_instruction,\"axG\",@progbits,cte_test_illegal_instruction,comdat\n"
      ".globl cte_test_illegal_instruction\n.hidden cte_test_illegal_instruction\n"
      ".type cte_test_illegal_instruction,@function\n.p2align 2\n"
      "cte_test_illegal_instruction:\n  udf #0\n  ret\n"
      ".size cte_test_illegal_instruction, .-cte_test_illegal_instruction\n.popsection\n"

      ".pushsection .text.cte_test_breakpoint,\"axG\",@progbits,cte_test_breakpoint,comdat\n"
      ".globl cte_test_breakpoint\n.hidden cte_test_breakpoint\n.type cte_test_breakpoint,@function\n.p2align 2\n"
      "cte_test_breakpoint:\n  brk #0\n  ret\n"
      ".size cte_test_breakpoint, .-cte_test_breakpoint\n.popsection\n"

      ".pushsection .text.cte_test_divide,\"axG\",@progbits,cte_test_divide,comdat\n"
      ".globl cte_test_divide\n.hidden cte_test_divide\n.type cte_test_divide,@function\n.p2align 2\n"
      "cte_test_divide:\n  udiv x0, x0, x1\n  ret\n"
      ".size cte_test_divide, .-cte_test_divide\n.popsection\n"

      ".pushsection .text.cte_test_misaligned_load,\"axG\",@progbits,cte_test_misaligned_load,comdat\n"
      ".globl cte_test_misaligned_load\n.hidden cte_test_misaligned_load\n"
      ".type cte_test_misaligned_load,@function\n.p2align 2\n"
      "cte_test_misaligned_load:\n  ldxr x0, [x0]\n  clrex\n  ret\n"
      ".size cte_test_misaligned_load, .-cte_test_misaligned_load\n.popsection\n");

  // cte_test_hold_registers(table = x0, iterations = x1). Every GPR but SP holds a pattern
  // during the spin, x0 included: the loop needs a counter register, so x0 takes turns. Its
  // held value is parked in the frame, x0 counts the remaining iterations in memory down by
  // one, and the parked value comes back (the value x0 held, not the table's: a corrupted x0
  // stays corrupted). NZCV carries the loop condition across that reload.
  asm(CTE_TEST_AARCH64_HOLD_PROBE("cte_test_hold_registers",
                                  CTE_TEST_AARCH64_HOLD_SPIN)::CTE_TEST_AARCH64_HOLD_OPERANDS);
  // The same, held across a brk instead of the spin (bare metal: the handler steps over it).
  asm(CTE_TEST_AARCH64_HOLD_PROBE("cte_test_hold_registers_across_trap", "  brk #0\n")::CTE_TEST_AARCH64_HOLD_OPERANDS);
}

#undef CTE_TEST_AARCH64_HOLD_PROBE
#undef CTE_TEST_AARCH64_HOLD_OPERANDS
#undef CTE_TEST_AARCH64_HOLD_SPIN
#undef CTE_TEST_Q_PAIRS
#undef CTE_TEST_X_PAIRS

// The registers the probe's negative test changes in a trap frame: x28 and the low half of q31.
inline constexpr ProbedRegister probed_gpr{28, offsetof(cte::Context::Frame, x[28])};
inline constexpr ProbedRegister probed_fp{held_gpr_words + 62, offsetof(cte::Context::Frame, q[31].low)};

}  // namespace cte_test
