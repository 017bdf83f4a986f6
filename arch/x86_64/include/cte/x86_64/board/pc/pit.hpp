#pragma once
// The 8254 PIT as the board's reference clock, for calibration only: channel 2 (gated by
// port 0x61, its output readable there) counts a known interval at 1.193182 MHz, while the
// LAPIC timer and the TSC count alongside.

#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>
#include <cte/x86_64/board/pc/lapic.hpp>

namespace cte::x86_64::pc {

struct Calibration {
  std::uint64_t apic_ticks_per_ms;
  std::uint64_t tsc_per_ms;
};

struct Pit {
  static constexpr std::uint64_t frequency_hz = 1193182;
  static constexpr std::uint16_t channel2 = 0x42, command = 0x43, gate_port = 0x61;
  static constexpr std::uint8_t gate = 1u << 0, speaker = 1u << 1, output = 1u << 5;
  static constexpr std::uint8_t channel2_oneshot = 0xb0;  // channel 2, low then high byte, mode 0
  static constexpr unsigned interval_ms = 5;
  static constexpr std::uint16_t interval_count = frequency_hz * interval_ms / 1000;

  // Counts the LAPIC timer (divided as LocalApic::enable set it) and the TSC over interval_ms.
  static Calibration calibrate() {
    const std::uint8_t port = inb(gate_port) & ~(gate | speaker);
    outb(gate_port, port);
    outb(command, channel2_oneshot);
    outb(channel2, interval_count & 0xff);
    outb(channel2, interval_count >> 8);
    constexpr std::uint32_t full = 0xffffffff;
    LocalApic::start_counting(full);
    const std::uint64_t tsc_start = read_tsc();
    outb(gate_port, port | gate);  // the count starts
    while (!(inb(gate_port) & output)) {
    }
    const std::uint32_t apic_elapsed = full - LocalApic::remaining();
    const std::uint64_t tsc_elapsed = read_tsc() - tsc_start;
    LocalApic::stop();
    outb(gate_port, port);
    return {apic_elapsed / interval_ms, tsc_elapsed / interval_ms};
  }
};

}  // namespace cte::x86_64::pc
