#pragma once
// The stage 1 translation a cte kernel runs with at EL1 or EL2 (4 KiB granule, 39-bit
// addresses, starting at level 1): an identity map of the low 4 GiB, devices
// Device-nGnRnE and RAM Normal write-back, so compiled code may use unaligned accesses and
// exclusives. One 2 MiB window of RAM is mapped in 4 KiB pages whose entries can be switched
// off one by one: it holds the board's page pool, so cte::ProtectedPage and the guard page of
// a cte::GuardedStack are real translation faults (a page_fault whose ref is FAR). The first
// 2 MiB (flash on virt, which cte never reads) stay unmapped: a null-pointer access faults.
//   level 1: 1 GiB blocks; the first GiB and the GiB that holds the window point to level 2
//   level 2: 2 MiB blocks of those; the window's entry points to a level 3 table
//   level 3: the window's 4 KiB pages

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/exception_level/level.hpp>

namespace cte::aarch64::exception_level::mmu {

namespace descriptor {  // bits of a translation table descriptor
inline constexpr std::uint64_t valid = 1u << 0;
inline constexpr std::uint64_t table = 1u << 1;  // with valid: a table (levels 1-2)
inline constexpr std::uint64_t page = table;     // ... or a page (level 3: a block is not allowed there)
inline constexpr unsigned attribute_index_shift = 2;
inline constexpr std::uint64_t access_permission_1 = 1u << 6;  // AP[1]: EL0 access (EL1 regime); RES1 at EL2
inline constexpr std::uint64_t inner_shareable = 3u << 8;
inline constexpr std::uint64_t access_flag = 1u << 10;
}  // namespace descriptor

// MAIR attribute indices and their encodings.
inline constexpr std::uint64_t device_index = 0, normal_index = 1;
inline constexpr std::uint64_t device_ngnrne = 0x00, normal_write_back = 0xff;
inline constexpr std::uint64_t mair_value = device_ngnrne << (8 * device_index) | normal_write_back
                                                                                      << (8 * normal_index);

inline constexpr std::size_t entries = 512;
inline constexpr std::uint64_t page = 4096, level2_block = page * entries, level1_block = level2_block * entries;
inline constexpr std::uint64_t identity_level1_blocks = 4;  // 0 .. 4 GiB: QEMU virt's devices and RAM

// Translation control: 39-bit input addresses (T0SZ = 25), walks Normal write-back inner
// shareable, 4 KiB granule; 36-bit output addresses.
namespace tcr {
inline constexpr std::uint64_t t0sz = 64 - 39;
inline constexpr std::uint64_t walks_write_back = 1u << 8 | 1u << 10 | 3u << 12;  // IRGN0, ORGN0, SH0
inline constexpr std::uint64_t el1_no_ttbr1 = 1u << 23;                           // EPD1
inline constexpr std::uint64_t el1_ips_36 = std::uint64_t{1} << 32;               // IPS
inline constexpr std::uint64_t el2_res1 = std::uint64_t{1} << 31 | 1u << 23;
inline constexpr std::uint64_t el2_ps_36 = 1u << 16;  // PS
}  // namespace tcr

// System control: MMU on, caches on, no alignment checks, no write-implies-execute-never.
namespace sctlr {
inline constexpr std::uint64_t mmu = 1u << 0, alignment_check = 1u << 1, data_cache = 1u << 2,
                               instruction_cache = 1u << 12, write_execute_never = 1u << 19;
}

template <ExceptionLevel L>
struct Regime;
template <>
struct Regime<ExceptionLevel::el1> {
  static constexpr std::uint64_t tcr = tcr::t0sz | tcr::walks_write_back | tcr::el1_no_ttbr1 | tcr::el1_ips_36;
  static constexpr std::uint64_t access = 0;  // AP = 00: EL1 read/write, no EL0 access
  static void invalidate_all() { asm volatile("tlbi vmalle1\n dsb ish\n isb" ::: "memory"); }
  static void invalidate_page(std::uint64_t address) {
    asm volatile("tlbi vae1, %0\n dsb ish\n isb" ::"r"(address / page) : "memory");
  }
};
template <>
struct Regime<ExceptionLevel::el2> {
  static constexpr std::uint64_t tcr = tcr::t0sz | tcr::walks_write_back | tcr::el2_res1 | tcr::el2_ps_36;
  static constexpr std::uint64_t access = descriptor::access_permission_1;
  static void invalidate_all() { asm volatile("tlbi alle2\n dsb ish\n isb" ::: "memory"); }
  static void invalidate_page(std::uint64_t address) {
    asm volatile("tlbi vae2, %0\n dsb ish\n isb" ::"r"(address / page) : "memory");
  }
};

template <ExceptionLevel L>
constexpr std::uint64_t leaf(std::uint64_t address, std::uint64_t attribute_index) {
  return address | attribute_index << descriptor::attribute_index_shift | Regime<L>::access | descriptor::access_flag |
         (attribute_index == normal_index ? descriptor::inner_shareable : 0) | descriptor::valid;
}
constexpr std::uint64_t table_entry(const void *table) {
  return reinterpret_cast<std::uint64_t>(table) | descriptor::table | descriptor::valid;
}

struct Tables {
  alignas(page) std::uint64_t level1[entries];
  alignas(page) std::uint64_t low_level2[entries];  // the first GiB: entry 0 invalid
  alignas(page) std::uint64_t level2[entries];      // the GiB that holds the window
  alignas(page) std::uint64_t level3[entries];      // 4 KiB pages of the window
};
inline Tables tables;
inline std::uint64_t window_base = 0;

// Builds the map around the 2 MiB window that contains `window_address` (in RAM, above the
// first GiB; RAM: Normal; the rest of the low 4 GiB: Device) and turns translation on. Runs
// once, at boot, before any compiled code relies on Normal memory.
template <ExceptionLevel L>
inline void enable(std::uint64_t window_address, std::uint64_t ram_start, std::uint64_t ram_end) {
  window_base = window_address / level2_block * level2_block;
  const std::uint64_t window_gib = window_base / level1_block * level1_block;
  const auto attribute = [&](std::uint64_t address) {
    return address >= ram_start && address < ram_end ? normal_index : device_index;
  };
  for (std::uint64_t i = 0; i < identity_level1_blocks; ++i)
    tables.level1[i] = leaf<L>(i * level1_block, attribute(i * level1_block));
  for (std::uint64_t i = 0; i < entries; ++i) {
    const std::uint64_t address = window_gib + i * level2_block;
    tables.level2[i] = leaf<L>(address, attribute(address));
  }
  for (std::uint64_t i = 0; i < entries; ++i)
    tables.level3[i] = leaf<L>(window_base + i * page, normal_index) | descriptor::page;
  tables.level2[(window_base - window_gib) / level2_block] = table_entry(tables.level3);
  tables.level1[window_gib / level1_block] = table_entry(tables.level2);
  for (std::uint64_t i = 0; i < entries; ++i)
    tables.low_level2[i] = leaf<L>(i * level2_block, attribute(i * level2_block));
  tables.low_level2[0] = 0;
  tables.level1[0] = table_entry(tables.low_level2);

  write_mair<L>(mair_value);
  write_tcr<L>(Regime<L>::tcr);
  write_ttbr0<L>(reinterpret_cast<std::uint64_t>(tables.level1));
  asm volatile("dsb ish\n isb" ::: "memory");
  Regime<L>::invalidate_all();
  std::uint64_t control = read_sctlr<L>();
  control |= sctlr::mmu | sctlr::data_cache | sctlr::instruction_cache;
  control &= ~(sctlr::alignment_check | sctlr::write_execute_never);
  write_sctlr<L>(control);
  asm volatile("isb" ::: "memory");
}

// Maps the pages of [start, start + size) (page-aligned, inside the window) or unmaps them.
// False, changing nothing, for a range outside the window.
template <ExceptionLevel L>
inline bool set_access(std::uint64_t start, std::uint64_t size, bool accessible) {
  if (start % page || size % page || start < window_base || start + size > window_base + level2_block) return false;
  for (std::uint64_t address = start; address < start + size; address += page) {
    std::uint64_t &entry = tables.level3[(address - window_base) / page];
    entry = accessible ? entry | descriptor::valid : entry & ~descriptor::valid;
    asm volatile("dsb ishst" ::: "memory");
    Regime<L>::invalidate_page(address);
  }
  return true;
}

}  // namespace cte::aarch64::exception_level::mmu
