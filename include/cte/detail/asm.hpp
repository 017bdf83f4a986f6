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
  ".globl " #name                      \
  "\n"                                 \
  ".hidden " #name                     \
  "\n"                                 \
  ".type " #name                       \
  ",@function\n"                       \
  ".p2align 4\n"

#define CTE_ASM_FUNCTION_BEGIN(name) \
  CTE_ASM_FUNCTION_SECTION_(name)    \
  CTE_ASM_FUNCTION_SYMBOL_(name)     \
#name                              \
      ":\n"                          \
      ".cfi_startproc\n"

// A function that is entered by a return (the exit stub of a kcontext thread is its entry
// function's return address) or starts a thread: unwinders look its pc up as pc - 1, so the
// call-frame information starts one never-executed nop earlier, and a local symbol,
// name.return_target, names it for debuggers. The optional second argument is call-frame
// information that holds from that nop on: such a function is the outermost frame of its
// thread, and says so by marking its return-address column undefined.
#define CTE_ASM_RETURN_TARGET_BEGIN(name, ...) \
  CTE_ASM_FUNCTION_SECTION_(name)              \
  ".p2align 4\n"                               \
  ".cfi_startproc\n" __VA_ARGS__ #name         \
  ".return_target:\n"                          \
  "  nop\n"                                    \
  ".globl " #name                              \
  "\n"                                         \
  ".hidden " #name                             \
  "\n"                                         \
  ".type " #name ",@function\n" #name ":\n"

// Stubs whose text takes asm operands (offsetof values) are emitted by asm statements inside a
// C++ function, never called, whose own call-frame information is open there; LLVM's assembler
// refuses to nest another frame in it. Such a statement closes the enclosing frame first and
// reopens it after its stubs:
//   asm volatile(CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(stub) ... CTE_ASM_FUNCTION_END(stub)
//                CTE_ASM_REENTER_ENCLOSING_FRAME :: operands);
// The compilers define __GCC_HAVE_DWARF2_CFI_ASM when they write call-frame directives.
// (clang with -fno-asynchronous-unwind-tables but exceptions on writes none for a function
// that cannot throw yet defines it: there the assembler reports the unbalanced .cfi_endproc.)
#if defined(__GCC_HAVE_DWARF2_CFI_ASM)
#define CTE_ASM_LEAVE_ENCLOSING_FRAME ".cfi_endproc\n"
#define CTE_ASM_REENTER_ENCLOSING_FRAME ".cfi_startproc\n"
#else
#define CTE_ASM_LEAVE_ENCLOSING_FRAME ""
#define CTE_ASM_REENTER_ENCLOSING_FRAME ""
#endif

// A hidden global label inside a function: an address C++ code compares a pc with.
#define CTE_ASM_GLOBAL_LABEL(name) \
  ".globl " #name                  \
  "\n"                             \
  ".hidden " #name "\n" #name ":\n"

#define CTE_ASM_FUNCTION_END(name) \
  ".cfi_endproc\n"                 \
  ".size " #name ", .-" #name      \
  "\n"                             \
  ".popsection\n"
