#pragma once
// The pc board's descriptor tables: the 64-bit GDT (the boot code's far jump into long mode
// uses it), the TSS with its interrupt stacks (IST), and the IDT: 256 interrupt gates, one per
// vector, each to its stub of the trap entry (trap_entry.hpp). Every vector has an IST stack,
// so the CPU never pushes onto a stack that may have run into its guard page:
//   ist::general        every vector but the three below; the entry copies what the CPU
//                       pushed off it at once (the next trap reuses it)
//   ist::double_fault   #DF: reported as fatal on this stack
//   ist::nmi, ist::machine_check   an NMI or #MC that arrives inside the trap entry itself
//                       must not overwrite the general stack

#include <cstddef>
#include <cstdint>

#include <cte/x86_64/frame.hpp>

namespace cte::x86_64::pc {

namespace selector {
inline constexpr std::uint16_t code = 0x08, data = 0x10, tss = 0x18;
}

// Flat descriptors (Intel SDM vol. 3, 3.4.5): 64-bit code (L), data; the TSS descriptor's two
// slots are written by load_descriptor_tables.
namespace gdt_entry {
inline constexpr std::uint64_t code64 = 0x00af9a000000ffff;
inline constexpr std::uint64_t data = 0x00cf92000000ffff;
}  // namespace gdt_entry

struct [[gnu::packed]] TaskState {
  std::uint32_t reserved0;
  std::uint64_t rsp[3];
  std::uint64_t reserved1;
  std::uint64_t ist[7];  // ist[n - 1] is IST n
  std::uint64_t reserved2;
  std::uint16_t reserved3;
  std::uint16_t io_map_base;
};
static_assert(sizeof(TaskState) == 104);

namespace ist {
inline constexpr unsigned general = 1, double_fault = 2, nmi = 3, machine_check = 4, count = 4;
inline constexpr std::size_t stack_size = 8 * 1024;
}  // namespace ist

constexpr unsigned ist_of_vector(unsigned v) {
  return v == vector::double_fault    ? ist::double_fault
         : v == vector::nmi           ? ist::nmi
         : v == vector::machine_check ? ist::machine_check
                                      : ist::general;
}

struct InterruptGate {
  std::uint16_t offset_low;
  std::uint16_t selector;
  std::uint8_t ist;
  std::uint8_t type;  // present, DPL 0, 64-bit interrupt gate (clears RFLAGS.IF)
  std::uint16_t offset_middle;
  std::uint32_t offset_high;
  std::uint32_t reserved;
};
static_assert(sizeof(InterruptGate) == 16);
inline constexpr std::uint8_t interrupt_gate_type = 0x8e;
inline constexpr unsigned vector_count = 256;

struct [[gnu::packed]] DescriptorPointer {
  std::uint16_t limit;
  std::uint64_t base;
};

}  // namespace cte::x86_64::pc

// The GDT, named by the boot code (boot.hpp): null, code, data, TSS (two slots).
extern "C" {
[[gnu::used]] alignas(16) inline std::uint64_t cte_x86_64_pc_gdt[5] = {0, cte::x86_64::pc::gdt_entry::code64,
                                                                       cte::x86_64::pc::gdt_entry::data, 0, 0};
}

namespace cte::x86_64::pc {

struct alignas(16) IstStacks {
  unsigned char stack[ist::count][ist::stack_size];
};
inline IstStacks ist_stacks;
inline TaskState task_state;
alignas(16) inline InterruptGate idt[vector_count];

// Fills the IDT from the stubs (first stub at `stubs`, `stub_spacing` bytes apart), the TSS,
// and loads them.
inline void load_descriptor_tables(std::uintptr_t stubs, std::size_t stub_spacing) {
  for (unsigned i = 0; i < ist::count; ++i)
    task_state.ist[i] = reinterpret_cast<std::uintptr_t>(ist_stacks.stack[i] + ist::stack_size);
  task_state.io_map_base = sizeof(TaskState);  // no I/O permission bitmap
  const auto tss = reinterpret_cast<std::uintptr_t>(&task_state);
  constexpr std::uint64_t tss_available = 0x89;  // present, 64-bit TSS (available)
  cte_x86_64_pc_gdt[selector::tss / 8] =
      (sizeof(TaskState) - 1) | ((tss & 0xffffff) << 16) | (tss_available << 40) | ((tss >> 24 & 0xff) << 56);
  cte_x86_64_pc_gdt[selector::tss / 8 + 1] = tss >> 32;
  for (unsigned v = 0; v < vector_count; ++v) {
    const std::uintptr_t stub = stubs + v * stub_spacing;
    idt[v] = {static_cast<std::uint16_t>(stub),
              selector::code,
              static_cast<std::uint8_t>(ist_of_vector(v)),
              interrupt_gate_type,
              static_cast<std::uint16_t>(stub >> 16),
              static_cast<std::uint32_t>(stub >> 32),
              0};
  }
  const DescriptorPointer idt_pointer{sizeof idt - 1, reinterpret_cast<std::uintptr_t>(idt)};
  asm volatile("lidt %0" ::"m"(idt_pointer));
  asm volatile("ltr %w0" ::"r"(selector::tss));
}

}  // namespace cte::x86_64::pc
