#pragma once
// Privileged x86_64 instructions the pc board uses, as small inline functions: port I/O,
// model-specific registers, control registers, CPUID, XCR0.

#include <cstdint>

namespace cte::x86_64::pc {

inline void outb(std::uint16_t port, std::uint8_t value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
inline void outl(std::uint16_t port, std::uint32_t value) { asm volatile("outl %0, %1" ::"a"(value), "Nd"(port)); }
inline std::uint8_t inb(std::uint16_t port) {
  std::uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

inline std::uint64_t read_msr(std::uint32_t msr) {
  std::uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return (std::uint64_t{high} << 32) | low;
}
inline void write_msr(std::uint32_t msr, std::uint64_t value) {
  asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<std::uint32_t>(value)),
               "d"(static_cast<std::uint32_t>(value >> 32)));
}

inline std::uint64_t read_cr0() {
  std::uint64_t value;
  asm volatile("mov %%cr0, %0" : "=r"(value));
  return value;
}
inline void write_cr0(std::uint64_t value) { asm volatile("mov %0, %%cr0" ::"r"(value) : "memory"); }
inline std::uint64_t read_cr4() {
  std::uint64_t value;
  asm volatile("mov %%cr4, %0" : "=r"(value));
  return value;
}
inline void write_cr4(std::uint64_t value) { asm volatile("mov %0, %%cr4" ::"r"(value) : "memory"); }
inline void invalidate_page(const void *address) { asm volatile("invlpg (%0)" ::"r"(address) : "memory"); }

inline std::uint64_t read_tsc() {
  std::uint32_t low, high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (std::uint64_t{high} << 32) | low;
}

struct CpuidResult {
  std::uint32_t eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) {
  CpuidResult r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

inline void write_xcr0(std::uint64_t value) {
  asm volatile("xsetbv" ::"c"(0), "a"(static_cast<std::uint32_t>(value)), "d"(static_cast<std::uint32_t>(value >> 32)));
}

// Control-register and feature bits the board sets or tests.
namespace bits {
inline constexpr std::uint64_t cr0_monitor_coprocessor = 1u << 1;  // MP
inline constexpr std::uint64_t cr0_emulation = 1u << 2;            // EM: clear, or x87 instructions fault
inline constexpr std::uint64_t cr0_task_switched = 1u << 3;        // TS: clear, or FP instructions fault
inline constexpr std::uint64_t cr0_numeric_error = 1u << 5;        // NE: x87 errors as #MF
inline constexpr std::uint64_t cr0_alignment_mask = 1u << 18;      // AM: EFLAGS.AC checks (CPL 3 only)
inline constexpr std::uint64_t cr4_osfxsr = 1u << 9;
inline constexpr std::uint64_t cr4_osxmmexcpt = 1u << 10;  // unmasked SIMD exceptions as #XM
inline constexpr std::uint64_t cr4_osxsave = 1u << 18;
inline constexpr std::uint32_t cpuid1_ecx_xsave = 1u << 26;
inline constexpr std::uint32_t cpuid1_ecx_avx = 1u << 28;
inline constexpr std::uint64_t rflags_interrupt_enable = 1u << 9;  // IF
}  // namespace bits

}  // namespace cte::x86_64::pc
