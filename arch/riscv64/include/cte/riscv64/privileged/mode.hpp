#pragma once
// riscv64 privileged architecture: the two modes a bare-metal cte kernel can run in (M and S)
// and, per mode, the CSRs and bits that play the same role (mstatus/sstatus, mepc/sepc, ...).
// Numbers are the RISC-V privileged specification's (v1.12: CSR listing, mstatus/sstatus,
// mie/mip). The trap entry is ONE template over Privilege; Mode<P> is where the two differ.

#include <cstdint>

#include <cte/riscv64/frame.hpp>

namespace cte::riscv64::privileged {

// A privilege level, as its 2-bit encoding (the value of mstatus.MPP).
enum class Privilege : unsigned { supervisor = 1, machine = 3 };

// CSR numbers.
namespace csr {
inline constexpr unsigned sstatus = 0x100, sie = 0x104, stvec = 0x105, sscratch = 0x140, sepc = 0x141, scause = 0x142,
                          stval = 0x143, sip = 0x144, satp = 0x180;
inline constexpr unsigned mstatus = 0x300, mie = 0x304, mtvec = 0x305, mscratch = 0x340, mepc = 0x341, mcause = 0x342,
                          mtval = 0x343, mip = 0x344;
inline constexpr unsigned pmpcfg0 = 0x3a0, pmpaddr0 = 0x3b0;  // pmpaddr<n> = pmpaddr0 + n
inline constexpr unsigned time = 0xc01;                       // read-only shadow of the platform timer
}  // namespace csr

// Bits of mstatus (sstatus shows the S-level subset at the same positions).
namespace status {
inline constexpr std::uint64_t sie = 1u << 1;   // S interrupt enable
inline constexpr std::uint64_t mie = 1u << 3;   // M interrupt enable
inline constexpr std::uint64_t spie = 1u << 5;  // SIE before the trap
inline constexpr std::uint64_t mpie = 1u << 7;  // MIE before the trap
inline constexpr std::uint64_t spp = 1u << 8;   // privilege before an S trap: 1 = S
inline constexpr unsigned mpp_shift = 11;       // privilege before an M trap (2 bits)
inline constexpr std::uint64_t mpp = 3u << mpp_shift;
inline constexpr std::uint64_t fs = 3u << 13;          // FP unit state: 0 off, 1 initial, 2 clean, 3 dirty
inline constexpr std::uint64_t fs_initial = 1u << 13;  // FP on, registers in their initial state
inline constexpr std::uint64_t mprv = 1u << 17;        // M-mode loads/stores use the privilege in MPP
}  // namespace status

// Bits of mie/mip (sie/sip): interrupt enable and pending, by source.
namespace interrupt {
inline constexpr std::uint64_t supervisor_software = 1u << 1, machine_software = 1u << 3;
inline constexpr std::uint64_t supervisor_timer = 1u << 5, machine_timer = 1u << 7;
inline constexpr std::uint64_t supervisor_external = 1u << 9, machine_external = 1u << 11;
}  // namespace interrupt

// Length of an ecall: a hardware ecall (M-mode code may execute one directly) resumes past it.
inline constexpr std::uint64_t ecall_length = 4;

// Per-mode facts. The trap entry, kcontext and the board are templates over Privilege and
// read everything mode-dependent from here.
template <Privilege P>
struct Mode;

template <>
struct Mode<Privilege::machine> {
  static constexpr const char *name = "machine";
  static constexpr unsigned status_csr = csr::mstatus, epc_csr = csr::mepc, cause_csr = csr::mcause,
                            tval_csr = csr::mtval, scratch_csr = csr::mscratch, tvec_csr = csr::mtvec,
                            ie_csr = csr::mie, ip_csr = csr::mip;
  static constexpr std::uint64_t interrupt_enable = status::mie;
  static constexpr std::uint64_t previous_interrupt_enable = status::mpie;
  static constexpr std::uint64_t previous_privilege = status::mpp;  // field mask
  static constexpr std::uint64_t previous_privilege_self = static_cast<std::uint64_t>(Privilege::machine)
                                                           << status::mpp_shift;
  static constexpr std::uint64_t timer_interrupt = interrupt::machine_timer;
  static constexpr std::uint64_t software_interrupt = interrupt::machine_software;
  static constexpr std::uint64_t timer_cause = cause::machine_timer_interrupt;
  static constexpr std::uint64_t software_cause = cause::machine_software_interrupt;
  static constexpr std::uint64_t external_interrupt = interrupt::machine_external;
  static constexpr std::uint64_t external_cause = cause::machine_external_interrupt;
  static constexpr std::uint64_t ecall_cause = cause::ecall_from_m;
  // What yield and syscall record as their cause (an ecall; the marker is in tval).
  static constexpr std::uint64_t yield_cause = ecall_cause, syscall_cause = ecall_cause;
};

template <>
struct Mode<Privilege::supervisor> {
  static constexpr const char *name = "supervisor";
  static constexpr unsigned status_csr = csr::sstatus, epc_csr = csr::sepc, cause_csr = csr::scause,
                            tval_csr = csr::stval, scratch_csr = csr::sscratch, tvec_csr = csr::stvec,
                            ie_csr = csr::sie, ip_csr = csr::sip;
  static constexpr std::uint64_t interrupt_enable = status::sie;
  static constexpr std::uint64_t previous_interrupt_enable = status::spie;
  static constexpr std::uint64_t previous_privilege = status::spp;
  static constexpr std::uint64_t previous_privilege_self = status::spp;  // SPP = 1: S-mode
  static constexpr std::uint64_t timer_interrupt = interrupt::supervisor_timer;
  static constexpr std::uint64_t software_interrupt = interrupt::supervisor_software;
  static constexpr std::uint64_t timer_cause = cause::supervisor_timer_interrupt;
  static constexpr std::uint64_t software_cause = cause::supervisor_software_interrupt;
  static constexpr std::uint64_t external_interrupt = interrupt::supervisor_external;
  static constexpr std::uint64_t external_cause = cause::supervisor_external_interrupt;
  static constexpr std::uint64_t ecall_cause = cause::ecall_from_s;
  static constexpr std::uint64_t yield_cause = ecall_cause, syscall_cause = ecall_cause;
};

// CSR access with the CSR number as an immediate operand.
template <unsigned Csr>
inline std::uint64_t csr_read() {
  std::uint64_t value;
  asm volatile("csrr %0, %1" : "=r"(value) : "i"(Csr) : "memory");
  return value;
}
template <unsigned Csr>
inline void csr_write(std::uint64_t value) {
  asm volatile("csrw %0, %1" ::"i"(Csr), "r"(value) : "memory");
}
template <unsigned Csr>
inline void csr_set(std::uint64_t bits) {
  asm volatile("csrs %0, %1" ::"i"(Csr), "r"(bits) : "memory");
}
template <unsigned Csr>
inline void csr_clear(std::uint64_t bits) {
  asm volatile("csrc %0, %1" ::"i"(Csr), "r"(bits) : "memory");
}

}  // namespace cte::riscv64::privileged
