#pragma once
// RISC-V instruction length (unprivileged spec, "Expanded Instruction-Length Encoding"): the
// low bits of the first 16-bit parcel give the length. skip_instruction() uses it to step the
// pc over a faulting instruction (e.g. an ebreak: 4 bytes, c.ebreak: 2 bytes).
//
//   bits[1:0] != 11                    16-bit (compressed)
//   bits[1:0] == 11, bits[4:2] != 111  32-bit
//   bits[4:0] == 11111                 48-bit, 64-bit or longer: not used by RV64GC, rejected

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cte::riscv64 {

namespace insn_length {
inline constexpr std::uint16_t not_compressed_mask = 0x3;   // bits[1:0] == 11: 32 bits or longer
inline constexpr std::uint16_t longer_than_32_mask = 0x1c;  // bits[4:2] == 111: longer than 32 bits
inline constexpr std::size_t parcel = 2;                    // instructions are 16-bit aligned (C extension)
}  // namespace insn_length

// Length in bytes of the instruction whose first (lowest-addressed) 16-bit parcel is `first`;
// 0 for encodings longer than 32 bits.
constexpr std::size_t instruction_length(std::uint16_t first) {
  using namespace insn_length;
  if ((first & not_compressed_mask) != not_compressed_mask) return 2;
  if ((first & longer_than_32_mask) == longer_than_32_mask) return 0;
  return 4;
}

// Length of the instruction at `pc` (read as one 16-bit parcel); 0 if pc is null or not
// 16-bit aligned, or the encoding is longer than 32 bits.
inline std::size_t instruction_length(const void *pc) {
  if (pc == nullptr || reinterpret_cast<std::uintptr_t>(pc) % insn_length::parcel != 0) return 0;
  std::uint16_t first = 0;
  std::memcpy(&first, pc, sizeof first);  // RISC-V is little-endian: the low bits come first
  return instruction_length(first);
}

}  // namespace cte::riscv64
