#pragma once
// The pc board's console: COM1, a 16550 UART at I/O port 0x3f8. Polled output; its
// transmit-empty interrupt (IER bit 1, ISA IRQ 4 = IOAPIC input 4 on q35) is the board's
// loopback device line (cte/loopback_irq.hpp). QEMU needs no baud-rate setup.

#include <cstddef>
#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>

namespace cte::x86_64::pc {

struct Com1 {
  static constexpr std::uint16_t base = 0x3f8;
  static constexpr std::uint16_t data = base + 0;                    // THR (write) / RBR (read)
  static constexpr std::uint16_t interrupt_enable = base + 1;        // IER
  static constexpr std::uint16_t modem_control = base + 4;           // MCR
  static constexpr std::uint16_t line_status = base + 5;             // LSR
  static constexpr std::uint8_t transmit_empty_interrupt = 1u << 1;  // IER.ETBEI
  static constexpr std::uint8_t out2 = 1u << 3;                      // MCR.OUT2: gates the IRQ line on real hardware
  static constexpr std::uint8_t transmit_holding_empty = 1u << 5;    // LSR.THRE
  static constexpr std::uint8_t data_ready = 1u << 0;                // LSR.DR
  static constexpr unsigned isa_irq = 4;                             // = IOAPIC input (GSI) 4

  static void init() {
    outb(interrupt_enable, 0);
    outb(modem_control, out2);
  }
  static void put(char c) {
    while (!(inb(line_status) & transmit_holding_empty)) {
    }
    outb(data, static_cast<std::uint8_t>(c));
  }
  static void write(const char *text, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) put(text[i]);
  }
  static bool get(char &c) {
    if (!(inb(line_status) & data_ready)) return false;
    c = static_cast<char>(inb(data));
    return true;
  }
  // Raised at once while on (output is polled: THR is empty).
  static void set_transmit_interrupt(bool on) { outb(interrupt_enable, on ? transmit_empty_interrupt : 0); }
};

}  // namespace cte::x86_64::pc
