#pragma once
// The pc board's page tables: boot (boot.hpp) identity-maps the first 4 GiB with 2 MiB pages
// (RAM, the LAPIC and the IOAPIC); boot_init then maps the 2 MiB region that holds the page
// pool with 4 KiB pages of their own table, so that a pool page can be made inaccessible
// (not present: an access is #PF with CR2 = the address) and accessible again.

#include <cstddef>
#include <cstdint>

#include <cte/x86_64/board/pc/cpu.hpp>

namespace cte::x86_64::pc::paging {

inline constexpr std::size_t entries = 512;
inline constexpr std::size_t small_page = 4096;
inline constexpr std::size_t large_page = 2 * 1024 * 1024;
inline constexpr unsigned identity_mapped_gib = 4;
inline constexpr std::uint64_t present = 1u << 0, writable = 1u << 1, large = 1u << 7;
inline constexpr std::uint64_t address_mask = 0x000ffffffffff000;

struct alignas(small_page) Table {
  std::uint64_t entry[entries];
};

}  // namespace cte::x86_64::pc::paging

// Built by the boot code in 32-bit mode (boot.hpp), before long mode is on.
extern "C" {
[[gnu::used]] inline cte::x86_64::pc::paging::Table cte_x86_64_pc_pml4;
[[gnu::used]] inline cte::x86_64::pc::paging::Table cte_x86_64_pc_pdpt;
[[gnu::used]] inline cte::x86_64::pc::paging::Table
    cte_x86_64_pc_directories[cte::x86_64::pc::paging::identity_mapped_gib];
}

namespace cte::x86_64::pc::paging {

// The 4 KiB table of the region that holds the page pool.
inline Table pool_table;

// The large-page directory entry of `address` (below 4 GiB).
inline std::uint64_t &directory_entry(std::uintptr_t address) {
  const std::uintptr_t index = address / large_page;
  return cte_x86_64_pc_directories[index / entries].entry[index % entries];
}

// Maps the 2 MiB region around `pool` with small pages, all accessible.
inline void split_for_pool(std::uintptr_t pool) {
  const std::uintptr_t region = pool & ~(large_page - 1);
  for (std::size_t i = 0; i < entries; ++i) pool_table.entry[i] = (region + i * small_page) | present | writable;
  directory_entry(region) = reinterpret_cast<std::uintptr_t>(&pool_table) | present | writable;
  for (std::size_t i = 0; i < entries; ++i) invalidate_page(reinterpret_cast<const void *>(region + i * small_page));
}

// Makes [start, start + size) (small pages of the pool's region) accessible or not.
inline bool set_present(std::uintptr_t start, std::size_t size, bool accessible) {
  const std::uint64_t directory = directory_entry(start);
  const bool in_pool_region =
      !(directory & large) && (directory & address_mask) == reinterpret_cast<std::uintptr_t>(&pool_table);
  if (!in_pool_region || start % small_page || size % small_page) return false;
  const std::uintptr_t region_start = start & ~(large_page - 1);
  if (start + size > region_start + large_page) return false;
  for (std::uintptr_t page = start; page < start + size; page += small_page) {
    std::uint64_t &entry = pool_table.entry[(page - region_start) / small_page];
    entry = accessible ? entry | present : entry & ~present;
    invalidate_page(reinterpret_cast<const void *>(page));
  }
  return true;
}

}  // namespace cte::x86_64::pc::paging
