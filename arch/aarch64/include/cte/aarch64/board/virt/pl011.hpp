#pragma once
// QEMU virt's console: an Arm PL011 UART at 0x09000000. Polled output; its transmit interrupt
// (SPI 1, INTID 33) is the board's loopback device line (cte/loopback_irq.hpp). QEMU needs no
// baud-rate setup.

#include <cstddef>
#include <cstdint>

namespace cte::aarch64::virt {

struct Pl011 {
  static constexpr std::uintptr_t base = 0x09000000;
  static constexpr std::uintptr_t data = 0x00;                  // UARTDR
  static constexpr std::uintptr_t flags = 0x18;                 // UARTFR
  static constexpr std::uint32_t transmit_full = 1u << 5;       // FR.TXFF
  static constexpr std::uint32_t receive_empty = 1u << 4;       // FR.RXFE
  static constexpr std::uintptr_t interrupt_mask = 0x38;        // UARTIMSC: 1 = enabled
  static constexpr std::uint32_t transmit_interrupt = 1u << 5;  // TXIM / TXRIS
  static constexpr unsigned interrupt_id = 33;                  // SPI 1 on virt

  static volatile std::uint32_t &reg(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint32_t *>(base + offset);
  }

  static void put(char c) {
    while (reg(flags) & transmit_full) {
    }
    reg(data) = static_cast<std::uint8_t>(c);
  }
  static void write(const char *text, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) put(text[i]);
  }
  // One received byte, if one is waiting.
  static bool get(char &c) {
    if (reg(flags) & receive_empty) return false;
    c = static_cast<char>(reg(data));
    return true;
  }

  // The transmit interrupt's raw status is set by every byte written (polled output keeps it
  // set); unmasking it raises the line at once, masking it lowers the line.
  static void set_transmit_interrupt(bool on) { reg(interrupt_mask) = on ? transmit_interrupt : 0; }
};

}  // namespace cte::aarch64::virt
