#pragma once
// x86_64 register-preservation probe for the tests: loads patterns derived from a seed into
// every callee-saved GPR (RBX, RBP, R12-R15), calls fn(arg), and reports in a bit mask which
// of them came back changed (bit i = register i of the order above). System V has no
// callee-saved XMM registers; the FP control words are checked by the portable fenv tests.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

extern "C" std::uint64_t cte_test_call_with_patterns(void (*fn)(void *), void *arg, std::uint64_t seed);

namespace cte_test {

inline constexpr unsigned callee_saved_gpr_count = 6;
inline constexpr unsigned callee_saved_fp_count = 0;
inline constexpr const char *callee_saved_names[] = {"rbx", "rbp", "r12", "r13", "r14", "r15"};

// Where a trap frame keeps callee-saved register i (the probe's negative test changes it there).
constexpr std::size_t callee_saved_frame_offset(unsigned i) {
  using Frame = cte::Context::Frame;
  constexpr std::size_t offsets[] = {offsetof(Frame, rbx), offsetof(Frame, rbp), offsetof(Frame, r12),
                                     offsetof(Frame, r13), offsetof(Frame, r14), offsetof(Frame, r15)};
  return offsets[i];
}

// Pattern for register i: distinct per register and per seed, never 0.
constexpr std::uint64_t pattern(std::uint64_t seed, unsigned i) {
  return (seed * 0x9e3779b97f4a7c15ull) ^ (0x0101010101010101ull * (i + 1)) ^ 0x8000000000000001ull;
}

[[gnu::used]] inline void emit_register_check() {
  // cte_test_call_with_patterns(fn=RDI, arg=RSI, seed=RDX): the six callee-saved registers are
  // pushed (ours to preserve), loaded with pattern(seed, i) computed in C++ and passed in a
  // table on the stack, fn(arg) is called, then each register is compared with its table entry.
  asm(".pushsection .text.cte_test_call_with_patterns,\"axG\",@progbits,cte_test_call_with_patterns,comdat\n"
      ".globl cte_test_call_with_patterns\n.hidden cte_test_call_with_patterns\n"
      ".type cte_test_call_with_patterns,@function\n"
      "cte_test_call_with_patterns:\n"
      "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
      "  sub $56, %rsp\n"  // 6 pattern slots + alignment: RSP 16-byte aligned at the call
      "  mov %rdi, %r12\n mov %rsi, %r13\n"
      "  mov %rsp, %rdi\n mov %rdx, %rsi\n"
      "  call cte_test_fill_patterns\n"  // table[i] = pattern(seed, i)
      "  mov %r12, %rax\n mov %r13, %rdi\n"
      "  mov 0(%rsp), %rbx\n mov 8(%rsp), %rbp\n mov 16(%rsp), %r12\n"
      "  mov 24(%rsp), %r13\n mov 32(%rsp), %r14\n mov 40(%rsp), %r15\n"
      "  call *%rax\n"
      "  xor %eax, %eax\n"
      "  cmp 0(%rsp), %rbx\n setne %al\n"
      "  xor %ecx, %ecx\n cmp 8(%rsp), %rbp\n setne %cl\n shl $1, %ecx\n or %ecx, %eax\n"
      "  xor %ecx, %ecx\n cmp 16(%rsp), %r12\n setne %cl\n shl $2, %ecx\n or %ecx, %eax\n"
      "  xor %ecx, %ecx\n cmp 24(%rsp), %r13\n setne %cl\n shl $3, %ecx\n or %ecx, %eax\n"
      "  xor %ecx, %ecx\n cmp 32(%rsp), %r14\n setne %cl\n shl $4, %ecx\n or %ecx, %eax\n"
      "  xor %ecx, %ecx\n cmp 40(%rsp), %r15\n setne %cl\n shl $5, %ecx\n or %ecx, %eax\n"
      "  add $56, %rsp\n"
      "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
      "  ret\n"
      ".size cte_test_call_with_patterns, .-cte_test_call_with_patterns\n"
      ".popsection\n");
}

}  // namespace cte_test

extern "C" [[gnu::used]] inline void cte_test_fill_patterns(std::uint64_t *table, std::uint64_t seed) {
  for (unsigned i = 0; i < 6; ++i) table[i] = cte_test::pattern(seed, i);
}
