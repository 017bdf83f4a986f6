#pragma once
// aarch64 instruction length: every A64 instruction is 4 bytes, 4-byte aligned. A pure
// function of the address (no memory is read), usable at compile time and on any host.

#include <cstddef>
#include <cstdint>

namespace cte::aarch64 {

inline constexpr std::size_t instruction_size = 4;

// Length of the instruction at `pc`: 4, or 0 when no A64 instruction can start there (a null
// or misaligned pc; executing one raises a PC alignment fault instead).
constexpr std::size_t instruction_length(std::uintptr_t pc) {
  if (pc == 0 || pc % instruction_size != 0) return 0;
  return instruction_size;
}

}  // namespace cte::aarch64
