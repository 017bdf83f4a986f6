#pragma once
// The two 8259 interrupt controllers of the pc: remapped past the exception vectors (so a
// stray or spurious 8259 interrupt can never look like an exception) and masked. The board
// takes its interrupts through the LAPIC and the IOAPIC only.

#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>

namespace cte::x86_64::pc {

struct Legacy8259 {
  static constexpr std::uint16_t primary_command = 0x20, primary_data = 0x21;
  static constexpr std::uint16_t secondary_command = 0xa0, secondary_data = 0xa1;
  static constexpr std::uint8_t init_with_icw4 = 0x11;
  static constexpr std::uint8_t mode_8086 = 0x01;
  static constexpr std::uint8_t primary_vector_base = 0xf0, secondary_vector_base = 0xf8;
  static constexpr std::uint8_t secondary_on_line_2 = 1u << 2, cascade_identity = 2;

  static void remap_and_mask() {
    outb(primary_command, init_with_icw4);
    outb(secondary_command, init_with_icw4);
    outb(primary_data, primary_vector_base);
    outb(secondary_data, secondary_vector_base);
    outb(primary_data, secondary_on_line_2);
    outb(secondary_data, cascade_identity);
    outb(primary_data, mode_8086);
    outb(secondary_data, mode_8086);
    outb(primary_data, 0xff);
    outb(secondary_data, 0xff);
  }
};

}  // namespace cte::x86_64::pc
