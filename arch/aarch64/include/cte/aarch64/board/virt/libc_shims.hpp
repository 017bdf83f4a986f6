#pragma once
// What freestanding C++ needs from a C library on the aarch64 board, and no more: memset,
// memcpy, memmove, memcmp (GCC emits calls to them, even with -ffreestanding). Assembly, as
// riscv64's (a C++ definition could itself be compiled into a call to memset): 8-byte loops
// where both pointers are 8-byte aligned, byte loops otherwise. (__cxa_atexit, __dso_handle
// and __cxa_pure_virtual are every board's: cte/board/start.hpp.)

#include <cstdint>

#include <cte/detail/asm.hpp>

namespace cte::aarch64::virt {

[[gnu::used]] inline void emit_libc_shims() {
  asm volatile(
      // --- memset(dst = x0, byte = w1, count = x2): returns dst.
      CTE_ASM_FUNCTION_BEGIN(memset)
      "  mov x3, x0\n"
      "  and x1, x1, #0xff\n"
      "  mov x4, #0x0101010101010101\n"
      "  mul x4, x1, x4\n"  // the byte in every lane of a word
      "  tst x3, #7\n"
      "  b.ne 2f\n"
      "1:\n"  // whole words
      "  cmp x2, #8\n"
      "  b.lo 2f\n"
      "  str x4, [x3], #8\n"
      "  sub x2, x2, #8\n"
      "  b 1b\n"
      "2:\n"  // bytes
      "  cbz x2, 3f\n"
      "  strb w1, [x3], #1\n"
      "  sub x2, x2, #1\n"
      "  b 2b\n"
      "3:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memset)

      // --- memcpy(dst = x0, src = x1, count = x2): returns dst. Copies upwards, so it is also
      // memmove's copy for dst <= src.
      CTE_ASM_FUNCTION_BEGIN(memcpy)
      "  mov x3, x0\n"
      "  orr x4, x0, x1\n"
      "  tst x4, #7\n"
      "  b.ne 2f\n"
      "1:\n"
      "  cmp x2, #8\n"
      "  b.lo 2f\n"
      "  ldr x4, [x1], #8\n"
      "  str x4, [x3], #8\n"
      "  sub x2, x2, #8\n"
      "  b 1b\n"
      "2:\n"
      "  cbz x2, 3f\n"
      "  ldrb w4, [x1], #1\n"
      "  strb w4, [x3], #1\n"
      "  sub x2, x2, #1\n"
      "  b 2b\n"
      "3:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcpy)

      // --- memmove(dst = x0, src = x1, count = x2): returns dst. Upwards (memcpy) unless dst
      // lies inside (src, src + count); then downwards, a byte at a time.
      CTE_ASM_FUNCTION_BEGIN(memmove)
      "  cmp x0, x1\n"
      "  b.ls 2f\n"
      "  add x3, x1, x2\n"
      "  cmp x3, x0\n"
      "  b.ls 2f\n"
      "  add x3, x0, x2\n"  // x3, x4 = one past the end of dst, src
      "  add x4, x1, x2\n"
      "1:\n"
      "  cmp x3, x0\n"
      "  b.eq 3f\n"
      "  ldrb w5, [x4, #-1]!\n"
      "  strb w5, [x3, #-1]!\n"
      "  b 1b\n"
      "2:\n"
      "  b memcpy\n"
      "3:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memmove)

      // --- memcmp(a = x0, b = x1, count = x2): <0, 0, >0 as the first differing byte.
      CTE_ASM_FUNCTION_BEGIN(memcmp)
      "1:\n"
      "  cbz x2, 2f\n"
      "  ldrb w3, [x0], #1\n"
      "  ldrb w4, [x1], #1\n"
      "  sub x2, x2, #1\n"
      "  cmp w3, w4\n"
      "  b.eq 1b\n"
      "  sub w0, w3, w4\n"
      "  ret\n"
      "2:\n"
      "  mov w0, #0\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcmp));
}

}  // namespace cte::aarch64::virt
