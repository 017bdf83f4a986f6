#pragma once
// Call-frame information for the pc board's trap stubs, and the one list of the registers a
// call keeps. Every stub that runs with rsp = a Frame describes the thread the Frame belongs
// to through it (DWARF by hand: .cfi_offset is relative to the CFA, which here is not a fixed
// distance from rsp): DW_CFA_def_cfa_expression (0x0f) and DW_CFA_expression (0x10) with
// DW_OP_breg7 (0x77: rsp + a signed LEB128 offset) and DW_OP_deref (0x06); offsets in two
// LEB128 bytes (0 <= offset < 8192). The asm statement supplies the operands %c[rsp] and
// %c[<register>] (offsetof(Frame, ...)).

#include <cstddef>

#include <cte/x86_64/frame.hpp>

namespace cte::x86_64::pc {

static_assert(sizeof(Frame) < 8192, "frame offsets fit two LEB128 bytes");

// The callee-saved registers (frame.hpp's list, X(name, DWARF column)): what a voluntary frame
// keeps besides rsp and rip (the stubs store them only when the handler switches away, and the
// voluntary resume loads them), and what the CFI describes.
// Their offsets as asm operands, named after them.
#define CTE_X86_64_PC_CALLEE_OFFSET_(name, column) [name] "i"(offsetof(::cte::x86_64::Frame, name)),
#define CTE_X86_64_PC_CALLEE_SAVED_OPERANDS CTE_X86_64_CALLEE_SAVED_REGISTERS(CTE_X86_64_PC_CALLEE_OFFSET_)
// DWARF's column of the return address (rip).
#define CTE_X86_64_PC_CFI_RIP_COLUMN "16"

#define CTE_X86_64_PC_CFI_LEB128_2(offset) "((" offset ") & 0x7f) | 0x80, ((" offset ") >> 7) & 0x7f"
// CFA = the rsp the Frame at rsp records.
#define CTE_X86_64_PC_CFI_CFA_FROM_FRAME \
  "  .cfi_escape 0x0f, 4, 0x77, " CTE_X86_64_PC_CFI_LEB128_2("%c[rsp]") ", 0x06\n"
// Register `column` is saved in the Frame at rsp + offset.
#define CTE_X86_64_PC_CFI_SAVED_AT_SP(column, offset) \
  "  .cfi_escape 0x10, " column ", 3, 0x77, " CTE_X86_64_PC_CFI_LEB128_2(offset) "\n"
#define CTE_X86_64_PC_CFI_CALLEE_SAVED_(name, column) CTE_X86_64_PC_CFI_SAVED_AT_SP(#column, "%c[" #name "]")
// Every register the Frame at rsp holds for a debugger: rip and the callee-saved ones.
#define CTE_X86_64_PC_CFI_FRAME_REGISTERS                                \
  CTE_X86_64_PC_CFI_SAVED_AT_SP(CTE_X86_64_PC_CFI_RIP_COLUMN, "%c[rip]") \
  CTE_X86_64_CALLEE_SAVED_REGISTERS(CTE_X86_64_PC_CFI_CALLEE_SAVED_)

}  // namespace cte::x86_64::pc
