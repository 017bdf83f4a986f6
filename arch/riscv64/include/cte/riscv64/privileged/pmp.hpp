#pragma once
// Physical memory protection (privileged spec, "Physical Memory Protection"), as cte's M-mode
// boards use it: a no-access guard over the lowest bytes of the running kcontext thread's
// stack, so that running off the stack faults at the first store instead of overwriting what
// lies below.
//
// PMP entries that are not locked do not apply to M-mode accesses. A cte M-mode kernel
// therefore runs its threads with mstatus.MPRV = 1: loads and stores then use the privilege in
// MPP, and xRET back to M-mode leaves MPP = U, so a running thread's data accesses are checked
// like U-mode ones (instruction fetch stays M-mode). A trap sets MPP = M: the vector and the
// handler access memory unchecked, guard included.
//
// The same check makes cte::ProtectedPage pages inaccessible to threads: up to four pages at a
// time, one NAPOT entry each (the lowest-numbered matching entry decides, so they come first).
//
// Entries:  0-3  NAPOT  one protected page each, no access           (OFF while unused)
//           4    OFF,   address = guard start (the base of entry 5's TOR range)
//           5    TOR    [guard start, guard end), no access          (OFF while no guard)
//           6    NAPOT  the whole address space, read/write/execute

#include <cstdint>
#include <utility>

#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::privileged::pmp {

namespace cfg {  // bits of one entry's 8-bit configuration
inline constexpr std::uint64_t read = 1u << 0, write = 1u << 1, execute = 1u << 2;
inline constexpr unsigned match_shift = 3;  // address matching mode A (2 bits)
inline constexpr std::uint64_t off = 0u << match_shift, tor = 1u << match_shift, napot = 3u << match_shift;
inline constexpr unsigned bits_per_entry = 8;
}  // namespace cfg

inline constexpr unsigned protected_page_entries = 4;  // entries 0 .. 3
inline constexpr unsigned guard_base_entry = 4, guard_entry = 5, everything_entry = 6;
inline constexpr unsigned address_shift = 2;                          // pmpaddr holds address bits 55:2
inline constexpr std::uint64_t napot_everything = ~std::uint64_t{0};  // all ones: the largest NAPOT range

constexpr std::uint64_t entry_config(unsigned entry, std::uint64_t config) {
  return config << (entry * cfg::bits_per_entry);
}

inline constexpr std::uint64_t everything_config =
    entry_config(everything_entry, cfg::napot | cfg::read | cfg::write | cfg::execute);
inline constexpr std::uint64_t guard_config = entry_config(guard_entry, cfg::tor);

// The configuration bits of the protected pages' entries in use (the guard's come and go
// with the running thread: see set_guard).
inline std::uint64_t protected_pages_config = 0;
inline std::uint64_t guard_in_use_config = 0;
inline std::uint64_t protected_page_address[protected_page_entries] = {};  // pmpaddr of entries 0-3

// pmpaddr<entry> = address, for a protected-page entry (CSR numbers are immediates).
template <unsigned... Entry>
inline void write_protected_page_address(unsigned entry, std::uint64_t address,
                                         std::integer_sequence<unsigned, Entry...>) {
  ((entry == Entry ? csr_write<csr::pmpaddr0 + Entry>(address) : void()), ...);
  protected_page_address[entry] = address;
}

// After PMP changes the spec asks for an sfence.vma (address-translation caches may hold
// permissions).
inline void synchronize() { asm volatile("sfence.vma zero, zero" ::: "memory"); }

inline void apply_config() {
  csr_write<csr::pmpcfg0>(everything_config | protected_pages_config | guard_in_use_config);
  synchronize();
}

// Entry 6 only: every access allowed, no guard, no protected page.
inline void allow_everything() {
  csr_write<csr::pmpaddr0 + everything_entry>(napot_everything);
  protected_pages_config = 0;
  guard_in_use_config = 0;
  apply_config();
}

// Guards [start, end) (4-byte aligned) against the running thread's loads and stores.
inline void set_guard(std::uint64_t start, std::uint64_t end) {
  guard_in_use_config = 0;  // guard off while its bounds change
  apply_config();
  csr_write<csr::pmpaddr0 + guard_base_entry>(start >> address_shift);
  csr_write<csr::pmpaddr0 + guard_entry>(end >> address_shift);
  guard_in_use_config = guard_config;
  apply_config();
}

inline void clear_guard() {
  guard_in_use_config = 0;
  apply_config();
}

// A naturally aligned power-of-two range [start, start + size) (size >= 8) as a NAPOT address.
constexpr std::uint64_t napot_address(std::uint64_t start, std::uint64_t size) {
  return (start >> address_shift) | ((size >> (address_shift + 1)) - 1);
}
constexpr bool is_napot_range(std::uint64_t start, std::uint64_t size) {
  return size >= 8 && (size & (size - 1)) == 0 && start % size == 0;
}

// Makes [start, start + size) inaccessible to threads (accessible = false) or accessible again.
// False if the range is not NAPOT-shaped or all four entries are in use.
inline bool set_protected(std::uint64_t start, std::uint64_t size, bool accessible) {
  if (!is_napot_range(start, size)) return false;
  const std::uint64_t address = napot_address(start, size);
  int free_entry = -1;
  for (unsigned entry = 0; entry < protected_page_entries; ++entry) {
    const bool used = (protected_pages_config & entry_config(entry, cfg::napot)) != 0;
    if (used && protected_page_address[entry] == address) {
      if (accessible) {
        protected_pages_config &= ~entry_config(entry, 0xff);
        apply_config();
      }
      return true;
    }
    if (!used && free_entry < 0) free_entry = static_cast<int>(entry);
  }
  if (accessible) return true;  // not protected
  if (free_entry < 0) return false;
  const unsigned entry = static_cast<unsigned>(free_entry);
  protected_pages_config &= ~entry_config(entry, 0xff);
  apply_config();
  write_protected_page_address(entry, address, std::make_integer_sequence<unsigned, protected_page_entries>{});
  protected_pages_config |= entry_config(entry, cfg::napot);
  apply_config();
  return true;
}

}  // namespace cte::riscv64::privileged::pmp
