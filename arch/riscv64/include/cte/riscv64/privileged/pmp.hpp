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
// Entries:  0  OFF,   address = guard start (the base of entry 1's TOR range)
//           1  TOR    [guard start, guard end), no access          (OFF while no guard)
//           2  NAPOT  the whole address space, read/write/execute

#include <cstdint>

#include <cte/riscv64/privileged/mode.hpp>

namespace cte::riscv64::privileged::pmp {

namespace cfg {  // bits of one entry's 8-bit configuration
inline constexpr std::uint64_t read = 1u << 0, write = 1u << 1, execute = 1u << 2;
inline constexpr unsigned match_shift = 3;  // address matching mode A (2 bits)
inline constexpr std::uint64_t off = 0u << match_shift, tor = 1u << match_shift, napot = 3u << match_shift;
inline constexpr unsigned bits_per_entry = 8;
}  // namespace cfg

inline constexpr unsigned guard_base_entry = 0, guard_entry = 1, everything_entry = 2;
inline constexpr unsigned address_shift = 2;                          // pmpaddr holds address bits 55:2
inline constexpr std::uint64_t napot_everything = ~std::uint64_t{0};  // all ones: the largest NAPOT range

constexpr std::uint64_t entry_config(unsigned entry, std::uint64_t config) {
  return config << (entry * cfg::bits_per_entry);
}

inline constexpr std::uint64_t everything_config =
    entry_config(everything_entry, cfg::napot | cfg::read | cfg::write | cfg::execute);
inline constexpr std::uint64_t guarded_config = everything_config | entry_config(guard_entry, cfg::tor);

// After PMP changes the spec asks for an sfence.vma (address-translation caches may hold
// permissions).
inline void synchronize() { asm volatile("sfence.vma zero, zero" ::: "memory"); }

// Entry 2 only: every access allowed, no guard.
inline void allow_everything() {
  csr_write<csr::pmpaddr0 + everything_entry>(napot_everything);
  csr_write<csr::pmpcfg0>(everything_config);
  synchronize();
}

// Guards [start, end) (4-byte aligned) against the running thread's loads and stores.
inline void set_guard(std::uint64_t start, std::uint64_t end) {
  csr_write<csr::pmpcfg0>(everything_config);  // guard off while its bounds change
  csr_write<csr::pmpaddr0 + guard_base_entry>(start >> address_shift);
  csr_write<csr::pmpaddr0 + guard_entry>(end >> address_shift);
  csr_write<csr::pmpcfg0>(guarded_config);
  synchronize();
}

inline void clear_guard() {
  csr_write<csr::pmpcfg0>(everything_config);
  synchronize();
}

}  // namespace cte::riscv64::privileged::pmp
