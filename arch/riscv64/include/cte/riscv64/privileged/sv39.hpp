#pragma once
// Sv39 address translation (privileged spec, "Sv39: Page-Based 39-bit Virtual-Memory
// System"), as cte's S-mode board uses it: an identity map of the low 4 GiB (devices and RAM)
// in gigapages, except for one 2 MiB window mapped in 4 KiB pages whose entries can be
// switched off one by one. The window holds the board's page pool, so cte::ProtectedPage
// pages are real page-table protection: an access to one raises a page fault.
// M-mode has no translation; there PMP does the same (pmp.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::privileged::sv39 {

namespace pte {  // bits of a page table entry
inline constexpr std::uint64_t valid = 1u << 0, read = 1u << 1, write = 1u << 2, execute = 1u << 3;
inline constexpr std::uint64_t global = 1u << 5, accessed = 1u << 6, dirty = 1u << 7;
inline constexpr unsigned ppn_shift = 10;
// An identity leaf: everything allowed, accessed and dirty preset (no A/D update faults).
inline constexpr std::uint64_t leaf = valid | read | write | execute | global | accessed | dirty;
}  // namespace pte

inline constexpr std::size_t entries = 512;
inline constexpr std::uint64_t page = 4096, megapage = page * entries, gigapage = megapage * entries;
inline constexpr std::uint64_t identity_gigapages = 4;  // 0 .. 4 GiB: QEMU virt's devices and RAM
inline constexpr std::uint64_t satp_mode_sv39 = std::uint64_t{8} << 60;
inline constexpr unsigned page_shift = 12;

constexpr std::uint64_t entry_for(std::uint64_t physical, std::uint64_t bits) {
  return (physical >> page_shift) << pte::ppn_shift | bits;
}

struct Tables {
  alignas(page) std::uint64_t root[entries];
  alignas(page) std::uint64_t middle[entries];  // the gigapage that holds the window
  alignas(page) std::uint64_t window[entries];  // 4 KiB pages of the window
};
inline Tables tables;
inline std::uint64_t window_base = 0;

// Builds the map around the 2 MiB window that contains `window_address` and turns translation
// on. Runs once, at boot, before anything else uses memory through the window.
inline void enable(std::uint64_t window_address) {
  window_base = window_address / megapage * megapage;
  const std::uint64_t window_gigapage = window_base / gigapage * gigapage;
  for (std::uint64_t i = 0; i < identity_gigapages; ++i) tables.root[i] = entry_for(i * gigapage, pte::leaf);
  for (std::uint64_t i = 0; i < entries; ++i) tables.middle[i] = entry_for(window_gigapage + i * megapage, pte::leaf);
  for (std::uint64_t i = 0; i < entries; ++i) tables.window[i] = entry_for(window_base + i * page, pte::leaf);
  tables.middle[(window_base - window_gigapage) / megapage] =
      entry_for(reinterpret_cast<std::uint64_t>(tables.window), pte::valid);
  tables.root[window_gigapage / gigapage] = entry_for(reinterpret_cast<std::uint64_t>(tables.middle), pte::valid);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  csr_write<csr::satp>(satp_mode_sv39 | reinterpret_cast<std::uint64_t>(tables.root) >> page_shift);
  asm volatile("sfence.vma zero, zero" ::: "memory");
}

// Maps the pages of [start, start + size) (page-aligned, inside the window) or unmaps them.
// False, changing nothing, for a range outside the window.
inline bool set_access(std::uint64_t start, std::uint64_t size, bool accessible) {
  if (start % page || size % page || start < window_base || start + size > window_base + megapage) return false;
  for (std::uint64_t address = start; address < start + size; address += page) {
    std::uint64_t &entry = tables.window[(address - window_base) / page];
    entry = accessible ? entry | pte::valid : entry & ~pte::valid;
    asm volatile("sfence.vma %0, zero" ::"r"(address) : "memory");
  }
  return true;
}

}  // namespace cte::riscv64::privileged::sv39
