#pragma once
// One vocabulary for the assembly functions the ports emit from headers. Each function sits in
// its own COMDAT group (any number of translation units may include the header; the linker
// keeps one copy), is a hidden global with a type and a size, and carries call-frame
// information, so debuggers and unwinders walk through it. The same directives assemble on
// x86_64, riscv64 and aarch64.
//
//   asm volatile(CTE_ASM_FUNCTION_BEGIN(cte_isa_stub)
//                "  ...instructions, with .cfi_* directives where the stack or a saved register moves\n"
//                CTE_ASM_FUNCTION_END(cte_isa_stub) :: operands);

#define CTE_ASM_FUNCTION_SECTION_(name) ".pushsection .text." #name ",\"axG\",@progbits," #name ",comdat\n"
#define CTE_ASM_FUNCTION_SYMBOL_(name) \
  ".globl " #name "\n"                 \
  ".hidden " #name "\n"                \
  ".type " #name ",@function\n"        \
  ".p2align 4\n"

#define CTE_ASM_FUNCTION_BEGIN(name) \
  CTE_ASM_FUNCTION_SECTION_(name)    \
  CTE_ASM_FUNCTION_SYMBOL_(name)     \
  #name ":\n"                        \
  ".cfi_startproc\n"

// A function that is entered by a return (the exit stub of a kcontext thread is its entry
// function's return address) or starts a thread: unwinders look its pc up as pc - 1, so the
// call-frame information starts one never-executed nop earlier. The optional second argument
// is call-frame information that holds from that nop on: such a function is the outermost
// frame of its thread, and says so by marking its return-address column undefined.
#define CTE_ASM_RETURN_TARGET_BEGIN(name, ...) \
  CTE_ASM_FUNCTION_SECTION_(name)              \
  ".p2align 4\n"                               \
  ".cfi_startproc\n" __VA_ARGS__               \
  "  nop\n"                                    \
  ".globl " #name "\n"                         \
  ".hidden " #name "\n"                        \
  ".type " #name ",@function\n"                \
  #name ":\n"

#define CTE_ASM_FUNCTION_END(name) \
  ".cfi_endproc\n"                 \
  ".size " #name ", .-" #name "\n" \
  ".popsection\n"
