#pragma once
// What freestanding C++ needs from a C library on a cte board, and no more (there is no libc):
//   memset, memcpy, memmove, memcmp   GCC emits calls to them (struct copies and clears,
//                                     std::memcpy), even with -ffreestanding
// (__cxa_atexit, __dso_handle and __cxa_pure_virtual are every board's: cte/board/start.hpp.)
// The memory functions are assembly (a C++ definition could itself be compiled into a call to
// memset). Word loops where both pointers allow 8-byte accesses, byte loops otherwise.

#include <cstdint>

#include <cte/detail/asm.hpp>

namespace cte::riscv64::virt {

[[gnu::used]] inline void emit_libc_shims() {
  asm volatile(
      // --- memset(dst = a0, byte = a1, count = a2): returns dst.
      CTE_ASM_FUNCTION_BEGIN(memset)
      "  mv t0, a0\n"
      "  andi a1, a1, %[byte_mask]\n"
      "  li t1, %[byte_lanes]\n"
      "  mul t1, a1, t1\n"  // the byte in every lane of a word
      "1:\n"                // bytes until t0 is word-aligned
      "  andi t2, t0, %[word_mask]\n"
      "  beqz t2, 2f\n"
      "  beqz a2, 5f\n"
      "  sb a1, 0(t0)\n"
      "  addi t0, t0, 1\n"
      "  addi a2, a2, -1\n"
      "  j 1b\n"
      "2:\n"  // whole words
      "  li t2, %[word]\n"
      "3:\n"
      "  bltu a2, t2, 4f\n"
      "  sd t1, 0(t0)\n"
      "  addi t0, t0, %[word]\n"
      "  addi a2, a2, -%[word]\n"
      "  j 3b\n"
      "4:\n"  // the tail
      "  beqz a2, 5f\n"
      "  sb a1, 0(t0)\n"
      "  addi t0, t0, 1\n"
      "  addi a2, a2, -1\n"
      "  j 4b\n"
      "5:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memset)

      // --- memcpy(dst = a0, src = a1, count = a2): returns dst. Copies upwards, so it is also
      // memmove's copy for dst <= src.
      CTE_ASM_FUNCTION_BEGIN(memcpy)
      "  mv t0, a0\n"
      "  or t2, a0, a1\n"
      "  andi t2, t2, %[word_mask]\n"
      "  bnez t2, 2f\n"  // not both word-aligned: bytes only
      "  li t2, %[word]\n"
      "1:\n"
      "  bltu a2, t2, 2f\n"
      "  ld t1, 0(a1)\n"
      "  sd t1, 0(t0)\n"
      "  addi a1, a1, %[word]\n"
      "  addi t0, t0, %[word]\n"
      "  addi a2, a2, -%[word]\n"
      "  j 1b\n"
      "2:\n"
      "  beqz a2, 3f\n"
      "  lbu t1, 0(a1)\n"
      "  sb t1, 0(t0)\n"
      "  addi a1, a1, 1\n"
      "  addi t0, t0, 1\n"
      "  addi a2, a2, -1\n"
      "  j 2b\n"
      "3:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcpy)

      // --- memmove(dst = a0, src = a1, count = a2): returns dst. Upwards (memcpy) unless dst
      // lies inside [src, src + count); then downwards, a byte at a time.
      CTE_ASM_FUNCTION_BEGIN(memmove)
      "  bleu a0, a1, 1f\n"
      "  add t0, a1, a2\n"
      "  bleu t0, a0, 1f\n"
      "  add t0, a0, a2\n"  // t0, t1 = one past the end of dst, src
      "  add t1, a1, a2\n"
      "2:\n"
      "  beq t0, a0, 3f\n"
      "  addi t0, t0, -1\n"
      "  addi t1, t1, -1\n"
      "  lbu t2, 0(t1)\n"
      "  sb t2, 0(t0)\n"
      "  j 2b\n"
      "3:\n"
      "  ret\n"
      "1:\n"
      "  tail memcpy\n"
      CTE_ASM_FUNCTION_END(memmove)

      // --- memcmp(a = a0, b = a1, count = a2): <0, 0, >0 as the first differing byte.
      CTE_ASM_FUNCTION_BEGIN(memcmp)
      "1:\n"
      "  beqz a2, 2f\n"
      "  lbu t0, 0(a0)\n"
      "  lbu t1, 0(a1)\n"
      "  bne t0, t1, 3f\n"
      "  addi a0, a0, 1\n"
      "  addi a1, a1, 1\n"
      "  addi a2, a2, -1\n"
      "  j 1b\n"
      "2:\n"
      "  li a0, 0\n"
      "  ret\n"
      "3:\n"
      "  sub a0, t0, t1\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcmp) ::[byte_mask] "i"(0xff),
      [byte_lanes] "i"(0x0101010101010101ull), [word_mask] "i"(sizeof(std::uint64_t) - 1),
      [word] "i"(sizeof(std::uint64_t)));
}

}  // namespace cte::riscv64::virt
