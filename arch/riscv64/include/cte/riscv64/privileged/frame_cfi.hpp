#pragma once
// Call-frame information of the bare-metal stubs, whose sp is a Frame that may lie anywhere
// (below the thread's sp, or the reserved overflow frame): the thread's sp is the one stored in
// the frame, so the canonical frame address (CFA) is read from the frame, and every saved
// register is described relative to sp. Assembly text for the stubs' asm statements; they
// provide the operands [sp_slot] (offsetof the x[2] slot), [x], [f] and [word].
//
// DWARF (encoded by hand: .cfi_offset is relative to the CFA, which here is not a fixed
// distance from sp): DW_CFA_def_cfa_expression (0x0f) and DW_CFA_expression (0x10) with
// DW_OP_breg2 (0x72, sp + a signed LEB128 offset), DW_OP_deref (0x06). Offsets are encoded in
// two LEB128 bytes (valid for 0 <= offset < 8192; every frame slot is below 2048).

#include <cstdint>

#include <cte/riscv64/frame.hpp>

namespace cte::riscv64::privileged {

// The DWARF column the trap vector describes the interrupted pc in (the frame's pc slot): a
// number no register uses (x0-x31 are 0-31, f0-f31 32-63), so that ra keeps its own rule.
inline constexpr unsigned dwarf_resume_pc_column = 64;
static_assert(sizeof(Frame) < 8192, "frame offsets fit two LEB128 bytes");

}  // namespace cte::riscv64::privileged

#define CTE_RISCV64_CFI_LEB128_2(offset) "((" offset ") & 0x7f) | 0x80, ((" offset ") >> 7) & 0x7f"

// CFA = the thread's sp, the value in the frame's sp slot.
#define CTE_RISCV64_CFI_CFA_FROM_FRAME "  .cfi_escape 0x0f, 4, 0x72, " CTE_RISCV64_CFI_LEB128_2("%[sp_slot]") ", 0x06\n"

// DWARF register `column` is saved at sp + `offset` (both assembler expressions).
#define CTE_RISCV64_CFI_SAVED_AT_SP(column, offset) \
  "  .cfi_escape 0x10, " column ", 3, 0x72, " CTE_RISCV64_CFI_LEB128_2(offset) "\n"
