#pragma once
// x86_64 probes for the hosted trap tests: instructions that trap, and a register holder for
// the preemption torture test. Each trapping probe returns normally once the handler has
// stepped over (or fixed up) the trapping instruction.

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

#include "support/probed_register.hpp"

extern "C" {
// ud2, then return: the result is whatever the return register holds after the trap, so a
// handler's set_return() is visible to the caller.
std::uint64_t cte_test_illegal_instruction();
void cte_test_breakpoint();                                                    // int3
std::uint64_t cte_test_divide(std::uint64_t dividend, std::uint64_t divisor);  // div: #DE for 0
std::uint64_t cte_test_misaligned_load(const void *address);                   // mov with EFLAGS.AC set: #AC
// Loads every GPR but RSP and XMM0-15 with patterns from table[], spins `iterations` times,
// then stores them all back into table[] (GPRs first, then the XMM registers as 2 words each).
void cte_test_hold_registers(std::uint64_t *table, std::uint64_t iterations);
// The same registers and table, held across an int3 instead of the spin (bare metal: the
// handler steps over it).
void cte_test_hold_registers_across_trap(std::uint64_t *table);
}

namespace cte_test {

inline constexpr bool has_divide_by_zero_trap = true;
inline constexpr bool has_misaligned_trap = true;
inline constexpr bool misaligned_reports_address = false;  // #AC does not report the address
// rax rbx rcx rdx rsi rdi rbp r8-r15 (15), then xmm0-15 as 32 words.
inline constexpr unsigned held_gpr_words = 15;
inline constexpr unsigned held_fp_words = 32;
inline constexpr unsigned held_words = held_gpr_words + held_fp_words;
constexpr std::uint64_t held_pattern(unsigned, std::uint64_t bits) { return bits; }  // any bits fit
// cte_test_hold_registers_across_trap's table: the same.
inline constexpr unsigned trap_held_words = held_words;
constexpr std::uint64_t trap_held_pattern(unsigned word, std::uint64_t bits) { return held_pattern(word, bits); }

// Table: 15 GPR words then 32 XMM words; RDI = table, RSI = iteration count, both pushed
// ([rsp] = iterations, [rsp+8] = table) while RDI itself holds a pattern; `hold` keeps the
// registers held (a spin on the count, or a trap); then the xchg puts the table back in RDI
// and parks RDI's pattern in the stack slot.
// clang-format off
#define CTE_TEST_X86_64_HOLD_PROBE(name, hold) \
  ".pushsection .text." name ",\"axG\",@progbits," name ",comdat\n" \
  ".globl " name "\n.hidden " name "\n" \
  name ":\n" \
  "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n" \
  "  push %rdi\n  push %rsi\n" \
  "  movdqu 120(%rdi), %xmm0\n  movdqu 136(%rdi), %xmm1\n  movdqu 152(%rdi), %xmm2\n  movdqu 168(%rdi), %xmm3\n" \
  "  movdqu 184(%rdi), %xmm4\n  movdqu 200(%rdi), %xmm5\n  movdqu 216(%rdi), %xmm6\n  movdqu 232(%rdi), %xmm7\n" \
  "  movdqu 248(%rdi), %xmm8\n  movdqu 264(%rdi), %xmm9\n  movdqu 280(%rdi), %xmm10\n  movdqu 296(%rdi), %xmm11\n" \
  "  movdqu 312(%rdi), %xmm12\n  movdqu 328(%rdi), %xmm13\n  movdqu 344(%rdi), %xmm14\n  movdqu 360(%rdi), %xmm15\n" \
  "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rbx\n  mov 16(%rdi), %rcx\n  mov 24(%rdi), %rdx\n" \
  "  mov 32(%rdi), %rsi\n  mov 48(%rdi), %rbp\n  mov 56(%rdi), %r8\n  mov 64(%rdi), %r9\n" \
  "  mov 72(%rdi), %r10\n  mov 80(%rdi), %r11\n  mov 88(%rdi), %r12\n  mov 96(%rdi), %r13\n" \
  "  mov 104(%rdi), %r14\n  mov 112(%rdi), %r15\n  mov 40(%rdi), %rdi\n" \
  hold \
  "  xchg %rdi, 8(%rsp)\n" \
  "  mov %rax, 0(%rdi)\n  mov %rbx, 8(%rdi)\n  mov %rcx, 16(%rdi)\n  mov %rdx, 24(%rdi)\n" \
  "  mov %rsi, 32(%rdi)\n  mov %rbp, 48(%rdi)\n  mov %r8, 56(%rdi)\n  mov %r9, 64(%rdi)\n" \
  "  mov %r10, 72(%rdi)\n  mov %r11, 80(%rdi)\n  mov %r12, 88(%rdi)\n  mov %r13, 96(%rdi)\n" \
  "  mov %r14, 104(%rdi)\n  mov %r15, 112(%rdi)\n  mov 8(%rsp), %rax\n  mov %rax, 40(%rdi)\n" \
  "  movdqu %xmm0, 120(%rdi)\n  movdqu %xmm1, 136(%rdi)\n  movdqu %xmm2, 152(%rdi)\n  movdqu %xmm3, 168(%rdi)\n" \
  "  movdqu %xmm4, 184(%rdi)\n  movdqu %xmm5, 200(%rdi)\n  movdqu %xmm6, 216(%rdi)\n  movdqu %xmm7, 232(%rdi)\n" \
  "  movdqu %xmm8, 248(%rdi)\n  movdqu %xmm9, 264(%rdi)\n  movdqu %xmm10, 280(%rdi)\n  movdqu %xmm11, 296(%rdi)\n" \
  "  movdqu %xmm12, 312(%rdi)\n  movdqu %xmm13, 328(%rdi)\n  movdqu %xmm14, 344(%rdi)\n  movdqu %xmm15, 360(%rdi)\n" \
  "  add $16, %rsp\n" \
  "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n" \
  "  ret\n.popsection\n"
// clang-format on

[[gnu::used]] inline void emit_trap_probes() {
  asm(".pushsection .text.cte_test_illegal_instruction,\"axG\",@progbits,cte_test_illegal_instruction,comdat\n"
      ".globl cte_test_illegal_instruction\n.hidden cte_test_illegal_instruction\n"
      "cte_test_illegal_instruction:\n  ud2\n  ret\n.popsection\n"

      ".pushsection .text.cte_test_breakpoint,\"axG\",@progbits,cte_test_breakpoint,comdat\n"
      ".globl cte_test_breakpoint\n.hidden cte_test_breakpoint\n"
      "cte_test_breakpoint:\n  int3\n  ret\n.popsection\n"

      ".pushsection .text.cte_test_divide,\"axG\",@progbits,cte_test_divide,comdat\n"
      ".globl cte_test_divide\n.hidden cte_test_divide\n"
      "cte_test_divide:\n  mov %rdi, %rax\n  xor %edx, %edx\n  div %rsi\n  ret\n.popsection\n"

      // EFLAGS.AC (bit 18) makes a misaligned user-mode access fault (Linux sets CR0.AM).
      ".pushsection .text.cte_test_misaligned_load,\"axG\",@progbits,cte_test_misaligned_load,comdat\n"
      ".globl cte_test_misaligned_load\n.hidden cte_test_misaligned_load\n"
      "cte_test_misaligned_load:\n"
      "  pushfq\n  orl $0x40000, (%rsp)\n  popfq\n"
      "  mov (%rdi), %rax\n"
      "  pushfq\n  andl $~0x40000, (%rsp)\n  popfq\n"
      "  ret\n.popsection\n"

      CTE_TEST_X86_64_HOLD_PROBE("cte_test_hold_registers", "1:\n  decq (%rsp)\n  jnz 1b\n")
          CTE_TEST_X86_64_HOLD_PROBE("cte_test_hold_registers_across_trap", "  int3\n"));
}

#undef CTE_TEST_X86_64_HOLD_PROBE

// The registers the probe's negative test changes in a trap frame: r15 and the low half of xmm15.
inline constexpr ProbedRegister probed_gpr{14, offsetof(cte::Context::Frame, r15)};
inline constexpr ProbedRegister probed_fp{held_gpr_words + 30, offsetof(cte::Context::Frame, fpu.xmm[15])};

}  // namespace cte_test
