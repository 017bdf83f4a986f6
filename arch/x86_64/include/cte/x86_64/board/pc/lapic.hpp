#pragma once
// The local APIC (xAPIC, memory-mapped at 0xfee00000, identity-mapped by boot): the tick
// (its timer, vector::timer), the software interrupt (a self-IPI, vector::software_interrupt)
// and the end of every interrupt it delivers (EOI). Its timer counts the APIC bus clock
// divided by `timer_divide`, a frequency the board measures against the PIT at boot
// (calibrate, pit.hpp).

#include <cstdint>

#include <cte/x86_64/frame.hpp>

namespace cte::x86_64::pc {

struct LocalApic {
  static constexpr std::uintptr_t base = 0xfee00000;
  // Register offsets (32-bit registers, 16 bytes apart).
  enum Register : std::uintptr_t {
    id = 0x20,
    end_of_interrupt = 0xb0,
    spurious_vector = 0xf0,
    request = 0x200,  // IRR: 8 registers, 256 bits
    command_low = 0x300,
    timer_lvt = 0x320,
    timer_initial = 0x380,
    timer_current = 0x390,
    timer_divide = 0x3e0,
  };

  static constexpr std::uint32_t software_enable = 1u << 8;  // in the spurious-vector register
  static constexpr std::uint32_t spurious = 0xff;
  static constexpr std::uint32_t masked = 1u << 16;
  static constexpr std::uint32_t periodic = 1u << 17;
  static constexpr std::uint32_t divide_by_16 = 0x3;
  static constexpr std::uint32_t to_self = 1u << 18;  // ICR destination shorthand 01: self
  static constexpr unsigned register_stride = 0x10, vector_registers = 8;

  static volatile std::uint32_t &reg(std::uintptr_t offset) {
    return *reinterpret_cast<volatile std::uint32_t *>(base + offset);
  }

  static void enable() {
    reg(timer_lvt) = masked | vector::timer;
    reg(timer_divide) = divide_by_16;
    reg(spurious_vector) = software_enable | spurious;
  }
  static std::uint32_t own_id() { return reg(id) >> 24; }
  static void acknowledge() { reg(end_of_interrupt) = 0; }
  static void send_self(std::uint8_t vector) { reg(command_low) = to_self | vector; }
  // Any interrupt accepted but not yet delivered (waiting for RFLAGS.IF).
  static bool any_requested() {
    for (unsigned i = 0; i < vector_registers; ++i)
      if (reg(request + i * register_stride) != 0) return true;
    return false;
  }

  // The timer: periodic every `ticks` (0 < ticks < 2^32), or stopped. Stopping keeps a tick
  // already requested (in IRR): it is delivered when interrupts are enabled.
  static void start_periodic(std::uint32_t ticks) {
    reg(timer_lvt) = periodic | vector::timer;
    reg(timer_initial) = ticks;
  }
  static void stop() {
    reg(timer_lvt) = masked | vector::timer;
    reg(timer_initial) = 0;
  }
  // One-shot, masked: for calibration, counting down from `ticks`.
  static void start_counting(std::uint32_t ticks) {
    reg(timer_lvt) = masked | vector::timer;
    reg(timer_initial) = ticks;
  }
  static std::uint32_t remaining() { return reg(timer_current); }
};

}  // namespace cte::x86_64::pc
