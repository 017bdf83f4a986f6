#pragma once
// QEMU virt's console: a 16550-compatible UART at 0x10000000 (NS16550A). Polled output; its
// transmit-empty interrupt is the board's loopback device line (cte/loopback_irq.hpp);
// QEMU needs no baud-rate setup, and in S-mode OpenSBI has initialised it already.

#include <cstddef>
#include <cstdint>

namespace cte::riscv64::virt {

struct Uart16550 {
  static constexpr std::uintptr_t base = 0x10000000;
  // Register offsets (byte registers) and bits.
  static constexpr std::uintptr_t transmit_holding = 0;              // THR (write)
  static constexpr std::uintptr_t receive_buffer = 0;                // RBR (read)
  static constexpr std::uintptr_t interrupt_enable = 1;              // IER
  static constexpr std::uint8_t transmit_empty_interrupt = 1u << 1;  // IER.ETBEI: interrupt while THR is empty
  static constexpr std::uintptr_t line_status = 5;                   // LSR
  static constexpr std::uint8_t transmit_holding_empty = 1u << 5;    // LSR.THRE: THR accepts a byte
  static constexpr std::uint8_t data_ready = 1u << 0;                // LSR.DR: RBR holds a byte

  static volatile std::uint8_t &reg(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint8_t *>(base + offset);
  }

  static void put(char c) {
    while (!(reg(line_status) & transmit_holding_empty)) {
    }
    reg(transmit_holding) = static_cast<std::uint8_t>(c);
  }

  // One received byte, if one is waiting.
  static bool get(char &c) {
    if (!(reg(line_status) & data_ready)) return false;
    c = static_cast<char>(reg(receive_buffer));
    return true;
  }

  // The UART's interrupt line (PLIC source `plic_source`) is raised while THR is empty and
  // this is on: at once, since output is polled and THR drains immediately.
  static constexpr unsigned plic_source = 10;
  static void set_transmit_interrupt(bool on) { reg(interrupt_enable) = on ? transmit_empty_interrupt : 0; }

  static void write(const char *text, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) put(text[i]);
  }
};

}  // namespace cte::riscv64::virt
