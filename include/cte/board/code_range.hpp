#pragma once
// Where a board's code can be: RAM from the image's first byte (its entry, which every board's
// linker script puts first) to the end of RAM (arch/boards/sections.ld). skip_instruction asks
// before it reads an instruction: anything outside may not be memory at all.

#include <cstddef>
#include <cstdint>

extern "C" {
void cte_board_entry();
extern char cte_board_heap_end;  // the end of RAM
}

namespace cte::board {

inline bool code_readable(std::uintptr_t address, std::size_t size) {
  const auto start = reinterpret_cast<std::uintptr_t>(cte_board_entry);
  const auto end = reinterpret_cast<std::uintptr_t>(&cte_board_heap_end);
  return address >= start && address <= end && size <= end - address;
}

}  // namespace cte::board
