#pragma once
// QEMU virt's GICv3 (`-machine virt,gic-version=3`), as one CPU's kernel uses it: the
// distributor at 0x08000000 (shared peripheral interrupts, SPIs), CPU 0's redistributor at
// 0x080A0000 (its SGIs and PPIs, in the frame at +0x10000) and the CPU interface through the
// ICC_* system registers. Every interrupt cte enables is Group 1 (the only group a single
// security state has for IRQs), priority `priority`, delivered as an IRQ. Register offsets
// are the GICv3 architecture specification's (GICD_*, GICR_*).

#include <cstdint>

namespace cte::aarch64::virt {

struct GicV3 {
  static constexpr std::uintptr_t distributor = 0x08000000;
  static constexpr std::uintptr_t redistributor = 0x080A0000;
  static constexpr std::uintptr_t sgi_frame = redistributor + 0x10000;
  // Distributor.
  static constexpr std::uintptr_t distributor_control = 0x0;  // GICD_CTLR
  static constexpr std::uint32_t enable_group0 = 1u << 0, enable_group1 = 1u << 1, affinity_routing = 1u << 4;
  static constexpr std::uint32_t register_write_pending = 1u << 31;  // GICD_CTLR.RWP
  static constexpr std::uintptr_t group = 0x80, set_enable = 0x100, clear_enable = 0x180, priorities = 0x400;
  static constexpr std::uintptr_t route = 0x6000;  // GICD_IROUTER<n>, 64-bit: affinity 0.0.0.0 = CPU 0
  // Redistributor.
  static constexpr std::uintptr_t waker = 0x14;  // GICR_WAKER
  static constexpr std::uint32_t processor_sleep = 1u << 1, children_asleep = 1u << 2;
  // Interrupt IDs.
  static constexpr unsigned first_spi = 32;
  static constexpr unsigned spurious = 1023;  // ICC_IAR1_EL1 when nothing is pending
  static constexpr std::uint8_t priority = 0x80;
  static constexpr std::uint64_t lowest_priority_mask = 0xff;

  static volatile std::uint32_t &reg32(std::uintptr_t address) {
    return *reinterpret_cast<volatile std::uint32_t *>(address);
  }
  static volatile std::uint8_t &reg8(std::uintptr_t address) {
    return *reinterpret_cast<volatile std::uint8_t *>(address);
  }

  // Distributor and redistributor on, CPU interface by system registers, every priority
  // unmasked. The CPU interface's SRE enable of the level (ICC_SRE_EL1 / ICC_SRE_EL2) is the
  // board's: it differs per level.
  static void init() {
    reg32(distributor + distributor_control) = enable_group0 | enable_group1 | affinity_routing;
    while (reg32(distributor + distributor_control) & register_write_pending) {
    }
    reg32(redistributor + waker) = reg32(redistributor + waker) & ~processor_sleep;
    while (reg32(redistributor + waker) & children_asleep) {
    }
    asm volatile("msr icc_pmr_el1, %0\n msr icc_igrpen1_el1, %1\n isb" ::"r"(lowest_priority_mask),
                 "r"(std::uint64_t{1})
                 : "memory");
  }

  // Lets interrupt `id` (an SGI, a PPI or an SPI) reach this CPU.
  static void enable(unsigned id) {
    const std::uintptr_t frame = id < first_spi ? sgi_frame : distributor;
    const std::uintptr_t word = 4 * (id / 32);
    const std::uint32_t bit = 1u << (id % 32);
    reg32(frame + group + word) = reg32(frame + group + word) | bit;
    reg8(frame + priorities + id) = priority;
    if (id >= first_spi) *reinterpret_cast<volatile std::uint64_t *>(distributor + route + 8 * id) = 0;
    reg32(frame + set_enable + word) = bit;
  }

  // The highest-priority pending interrupt, now active (spurious: none).
  static unsigned acknowledge() {
    std::uint64_t id;
    asm volatile("mrs %0, icc_iar1_el1" : "=r"(id)::"memory");
    return static_cast<unsigned>(id);
  }
  // Interrupt `id` (acknowledged) may be taken again.
  static void end(unsigned id) { asm volatile("msr icc_eoir1_el1, %0\n isb" ::"r"(std::uint64_t{id}) : "memory"); }

  // Software-generated interrupt `id` (0-15) to this CPU (affinity 0.0.0, target list CPU 0).
  static void send_sgi_to_self(unsigned id) {
    constexpr unsigned sgi_id_shift = 24;
    asm volatile("msr icc_sgi1r_el1, %0\n isb" ::"r"(std::uint64_t{id} << sgi_id_shift | 1) : "memory");
  }
};

}  // namespace cte::aarch64::virt
