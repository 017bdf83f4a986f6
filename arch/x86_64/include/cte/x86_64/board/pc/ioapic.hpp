#pragma once
// The IOAPIC at 0xfec00000 (q35: 24 inputs): every input masked at boot; an enabled input n
// (global system interrupt n) is delivered to this CPU as vector external_vector(n), edge-
// or level-triggered as its device needs.

#include <cstdint>

namespace cte::x86_64::pc {

struct IoApic {
  static constexpr std::uintptr_t base = 0xfec00000;
  static constexpr std::uintptr_t select = 0x00, window = 0x10;
  static constexpr std::uint32_t redirection_base = 0x10;  // entry n: registers 0x10 + 2n (low), +1 (high)
  static constexpr std::uint32_t masked = 1u << 16;
  static constexpr std::uint32_t level_triggered = 1u << 15;
  static constexpr unsigned inputs = 24;
  static constexpr unsigned first_vector = 0x30;  // vector of input 0; inputs end below vector::syscall

  static constexpr unsigned external_vector(unsigned input) { return first_vector + input; }
  static constexpr bool is_external_vector(std::uint64_t vector) {
    return vector >= first_vector && vector < first_vector + inputs;
  }

  static void write(std::uint32_t index, std::uint32_t value) {
    *reinterpret_cast<volatile std::uint32_t *>(base + select) = index;
    *reinterpret_cast<volatile std::uint32_t *>(base + window) = value;
  }

  static void mask_all() {
    for (unsigned input = 0; input < inputs; ++input) write(redirection_base + 2 * input, masked);
  }
  // Fixed delivery, physical destination `apic_id`, active high.
  static void route(unsigned input, std::uint32_t apic_id, bool level) {
    write(redirection_base + 2 * input + 1, apic_id << 24);
    write(redirection_base + 2 * input, external_vector(input) | (level ? level_triggered : 0));
  }
};

}  // namespace cte::x86_64::pc
