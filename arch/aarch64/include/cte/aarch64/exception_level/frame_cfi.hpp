#pragma once
// Call-frame information of the bare-metal trap entry while the dispatcher runs, so that a
// debugger's backtrace from the handler continues into the trapped thread. The vector's
// dispatcher runs on the exception stack, far from the thread's; the thread's sp, pc and frame
// pointer are in its Frame, which lies anywhere (below the thread's sp, or the reserved overflow
// frame). So the canonical frame address (CFA) is read from the Frame, and the saved
// registers are described relative to where the Frame's address is kept:
//   trap of a thread:  x19 holds the Frame (x19 itself is saved in it)
//   voluntary stub:    sp is the Frame (x19-x29 are still the thread's; voluntary_entry.hpp)
// Assembly text for asm statements whose operands [x], [sp_slot] and [pc] are
// offsetof(Frame, x / sp / pc).
//
// DWARF, encoded by hand: DW_CFA_def_cfa_expression (0x0f), DW_CFA_expression (0x10),
// DW_OP_breg19 (0x83) and DW_OP_breg31 = sp (0x8f) with a signed LEB128 offset, DW_OP_deref
// (0x06). Offsets are two LEB128 bytes (0 <= offset < 8192).
// AArch64 DWARF numbers: x0-x30 are 0-30, sp 31; the thread's pc is described in column 32
// (the DWARF number of PC), the entry's return column, so that x30 keeps its own rule (a leaf
// function's return address is in x30).

#include <cte/aarch64/frame.hpp>

static_assert(sizeof(cte::aarch64::Frame) < 8192, "frame offsets fit two LEB128 bytes");

#define CTE_AARCH64_CFI_LEB128_2(offset) "((" offset ") & 0x7f) | 0x80, ((" offset ") >> 7) & 0x7f"

// --- x19 = the Frame
// CFA = the thread's sp (the Frame's sp slot).
#define CTE_AARCH64_CFI_CFA_FROM_X19 "  .cfi_escape 0x0f, 4, 0x83, " CTE_AARCH64_CFI_LEB128_2("%c[sp_slot]") ", 0x06\n"
// DWARF register `column` is saved at x19 + `offset`.
#define CTE_AARCH64_CFI_SAVED_AT_X19(column, offset) \
  "  .cfi_escape 0x10, " column ", 3, 0x83, " CTE_AARCH64_CFI_LEB128_2(offset) "\n"
// The thread as the caller of the dispatcher: its pc (the return column), x30, its frame
// pointer and x19.
#define CTE_AARCH64_CFI_THREAD_IN_X19_FRAME            \
  CTE_AARCH64_CFI_CFA_FROM_X19                         \
  CTE_AARCH64_CFI_SAVED_AT_X19("32", "%c[pc]")         \
  CTE_AARCH64_CFI_SAVED_AT_X19("30", "%c[x] + 30 * 8") \
  CTE_AARCH64_CFI_SAVED_AT_X19("29", "%c[x] + 29 * 8") \
  CTE_AARCH64_CFI_SAVED_AT_X19("19", "%c[x] + 19 * 8")

// --- sp = the Frame (the voluntary-trap stubs, whose dispatcher runs below their frame)
// CFA = [sp + sp slot]; DWARF register `column` saved at sp + `offset`.
#define CTE_AARCH64_CFI_CFA_FROM_FRAME_AT_SP \
  "  .cfi_escape 0x0f, 4, 0x8f, " CTE_AARCH64_CFI_LEB128_2("%c[sp_slot]") ", 0x06\n"
#define CTE_AARCH64_CFI_SAVED_AT_SP(column, offset) \
  "  .cfi_escape 0x10, " column ", 3, 0x8f, " CTE_AARCH64_CFI_LEB128_2(offset) "\n"

// After the dispatcher returns: nothing of the thread is described any more (the entry's
// outermost-frame rule again).
#define CTE_AARCH64_CFI_NO_THREAD \
  "  .cfi_def_cfa sp, 0\n"        \
  "  .cfi_undefined 32\n"         \
  "  .cfi_same_value x30\n"       \
  "  .cfi_same_value x29\n"       \
  "  .cfi_same_value x19\n"
