#pragma once
// aarch64 exception levels a bare-metal cte kernel can run at (EL1: an OS kernel; EL2: where a
// hypervisor takes its traps) and, per level, what differs: the system registers of the trap
// (ESR/ELR/SPSR/FAR/VBAR_ELx), the PSTATE mode a kernel thread runs in, the translation
// regime's controls and the generic timer it owns. Numbers are the Arm Architecture Reference
// Manual's (registers SPSR_ELx, CPACR_EL1, CPTR_EL2, HCR_EL2, TCR_ELx, SCTLR_ELx). The trap
// entry, kcontext, the MMU code and the board are ONE template over ExceptionLevel each;
// Level<L> is where the two differ.
//
// System registers are named in the instruction (mrs x0, esr_el1), so code that is generic
// over L pastes the level into the name: CTE_AARCH64_SYSREG_EL("esr") with the asm operand
// [el] "i"(L), or the read_<register><L>() / write_<register><L>() helpers below.

#include <cstdint>

#include <cte/aarch64/frame.hpp>

namespace cte::aarch64 {

enum class ExceptionLevel : unsigned { el1 = 1, el2 = 2 };

// PSTATE/SPSR fields.
namespace pstate {
inline constexpr std::uint64_t mode_el1t = 0b0100, mode_el2t = 0b1000;  // M[3:0]: ELx with SP_EL0
inline constexpr std::uint64_t sp_select = 1;                           // M[0]: SP_ELx ("h")
inline constexpr std::uint64_t fiq_mask = 1u << 6, irq_mask = 1u << 7, serror_mask = 1u << 8, debug_mask = 1u << 9;
}  // namespace pstate

template <ExceptionLevel L>
struct Level;

template <>
struct Level<ExceptionLevel::el1> {
  static constexpr const char *name = "EL1";
  // A kernel thread runs at EL1 on SP_EL0 (EL1t): exceptions switch to SP_EL1.
  static constexpr std::uint64_t thread_mode = pstate::mode_el1t;
  static constexpr std::uint64_t timer_intid = interrupt_id::physical_timer;  // CNTP
};

template <>
struct Level<ExceptionLevel::el2> {
  static constexpr const char *name = "EL2";
  static constexpr std::uint64_t thread_mode = pstate::mode_el2t;
  static constexpr std::uint64_t timer_intid = interrupt_id::hypervisor_physical_timer;  // CNTHP
};

}  // namespace cte::aarch64

// The name of system register `base`_ELx for the asm operand [el] (the level as a number).
#define CTE_AARCH64_SYSREG_EL(base) base "_el%c[el]"

namespace cte::aarch64 {

// mrs/msr of base_EL<L>, for the registers C++ code reads and writes.
#define CTE_AARCH64_DEFINE_EL_ACCESS(base)                                                                    \
  template <ExceptionLevel L>                                                                                 \
  inline std::uint64_t read_##base() {                                                                        \
    std::uint64_t value;                                                                                      \
    asm volatile("mrs %0, " CTE_AARCH64_SYSREG_EL(#base) : "=r"(value) : [el] "i"(static_cast<unsigned>(L))); \
    return value;                                                                                             \
  }                                                                                                           \
  template <ExceptionLevel L>                                                                                 \
  inline void write_##base(std::uint64_t value) {                                                             \
    asm volatile("msr " CTE_AARCH64_SYSREG_EL(#base) ", %0" ::"r"(value), [el] "i"(static_cast<unsigned>(L))  \
                 : "memory");                                                                                 \
  }
CTE_AARCH64_DEFINE_EL_ACCESS(vbar)
CTE_AARCH64_DEFINE_EL_ACCESS(sctlr)
CTE_AARCH64_DEFINE_EL_ACCESS(tcr)
CTE_AARCH64_DEFINE_EL_ACCESS(mair)
CTE_AARCH64_DEFINE_EL_ACCESS(ttbr0)
#undef CTE_AARCH64_DEFINE_EL_ACCESS

}  // namespace cte::aarch64
