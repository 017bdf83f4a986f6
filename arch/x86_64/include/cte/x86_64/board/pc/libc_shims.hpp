#pragma once
// What freestanding C++ needs from a C library on the pc board, and no more (there is no
// libc): memset, memcpy, memmove, memcmp (GCC emits calls to them even with -ffreestanding).
// Assembly (a C++ definition could itself be compiled into a call to memset): the string
// instructions. (__cxa_atexit, __dso_handle and __cxa_pure_virtual are every board's:
// cte/board/start.hpp.)

#include <cte/detail/asm.hpp>

namespace cte::x86_64::pc {

[[gnu::used]] inline void emit_libc_shims() {
  asm volatile(
      // memset(rdi = dst, esi = byte, rdx = count): returns dst.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(memset)
      "  mov %rdi, %r8\n"
      "  mov %esi, %eax\n"
      "  mov %rdx, %rcx\n"
      "  rep stosb\n"
      "  mov %r8, %rax\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memset)
      // memcpy(rdi = dst, rsi = src, rdx = count): returns dst; copies upwards.
      CTE_ASM_FUNCTION_BEGIN(memcpy)
      "  mov %rdi, %rax\n"
      "  mov %rdx, %rcx\n"
      "  rep movsb\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcpy)
      // memmove: upwards unless dst lies inside (src, src + count); then downwards (DF set
      // for the copy only).
      CTE_ASM_FUNCTION_BEGIN(memmove)
      "  mov %rdi, %rax\n"
      "  mov %rdx, %rcx\n"
      "  cmp %rsi, %rdi\n"
      "  jbe 1f\n"
      "  lea (%rsi, %rdx), %r8\n"
      "  cmp %r8, %rdi\n"
      "  jae 1f\n"
      "  lea -1(%rdi, %rdx), %rdi\n"
      "  lea -1(%rsi, %rdx), %rsi\n"
      "  std\n"
      "  rep movsb\n"
      "  cld\n"
      "  ret\n"
      "1:\n"
      "  rep movsb\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memmove)
      // memcmp(rdi = a, rsi = b, rdx = count): <0, 0, >0 as the first differing byte.
      CTE_ASM_FUNCTION_BEGIN(memcmp)
      "  xor %eax, %eax\n"
      "1:\n"
      "  test %rdx, %rdx\n"
      "  jz 2f\n"
      "  movzbl (%rdi), %eax\n"
      "  movzbl (%rsi), %ecx\n"
      "  sub %ecx, %eax\n"
      "  jnz 2f\n"
      "  inc %rdi\n"
      "  inc %rsi\n"
      "  dec %rdx\n"
      "  jmp 1b\n"
      "2:\n"
      "  ret\n"
      CTE_ASM_FUNCTION_END(memcmp)
      CTE_ASM_REENTER_ENCLOSING_FRAME);
}

}  // namespace cte::x86_64::pc
