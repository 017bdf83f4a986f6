#pragma once
// aarch64 probes for the bare-metal tests: the hosted ones (plain instructions, no signals:
// tests/arch/aarch64/trap_probes.hpp) and what the board's cases add, with what the shared
// cases expect of the virt board (the names every tests/baremetal/<isa>/trap_probes.hpp
// defines are listed in tests/baremetal/support.hpp).

#include <cstdint>

#include <cte/cte.hpp>

#include "../../arch/aarch64/trap_probes.hpp"

extern "C" {
std::uint64_t cte_test_load(const void *address);  // ldr x0, [x0]
void cte_test_store(void *address);                // str xzr, [x0]
void cte_test_call(std::uintptr_t address);        // blr x0
std::uint64_t cte_test_illegal_other_length();     // not on aarch64 (see below)
void cte_test_breakpoint_other_length();           // not on aarch64 (see below)
void cte_test_amo_add(void *address);              // not on aarch64 (see below)
}

namespace cte_test {

// No riscv64 M-mode here: no hardware guard on a plain (non-GuardedStack) stack.
inline constexpr bool machine_mode = false;
// A store into an unmapped guard page: a data abort at the current level, translation fault.
inline bool is_guard_fault(const cte::Event &event) {
  namespace a64 = cte::aarch64;
  return a64::esr::exception_class(event.cause) == a64::exception_class::data_abort_same &&
         (a64::esr::iss(event.cause) & a64::abort_iss::write_not_read) != 0;
}

inline constexpr const char *guard_skip = nullptr;

namespace a64 = cte::aarch64;
constexpr bool is_abort(std::uint64_t cause, std::uint64_t exception_class, std::uint64_t status) {
  return a64::esr::exception_class(cause) == exception_class &&
         (a64::esr::iss(cause) & a64::abort_iss::status_mask) == status;
}
// DFSC/IFSC: a translation fault at any level (0x04-0x07), an alignment fault (0x21).
constexpr bool is_translation_fault(std::uint64_t cause, std::uint64_t exception_class) {
  return a64::esr::exception_class(cause) == exception_class &&
         (a64::esr::iss(cause) & a64::abort_iss::status_mask & ~std::uint64_t{3}) == 0x04;
}

// --- instructions that trap
inline constexpr std::uint64_t illegal_instruction_cause = a64::esr::make(a64::exception_class::unknown);
inline constexpr std::size_t illegal_instruction_length = 4;  // udf #0
inline constexpr std::uint64_t illegal_instruction_ref = 0;
inline constexpr std::size_t other_illegal_length = 0;
inline constexpr const char *other_illegal_skip = "every aarch64 instruction is 4 bytes long";
inline constexpr std::uint64_t breakpoint_cause = a64::esr::make(a64::exception_class::brk64, 0);
inline constexpr std::size_t breakpoint_length = 4;  // brk #0
inline constexpr std::size_t other_breakpoint_length = 0;
inline constexpr const char *other_breakpoint_skip = "every aarch64 instruction is 4 bytes long";
inline constexpr const char *divide_skip = "aarch64 division by zero returns 0: it never traps";

// --- misaligned accesses: plain ones work (SCTLR.A clear, Normal memory); exclusive ones fault
inline constexpr const char *misaligned_skip = nullptr;
inline constexpr const char *misaligned_atomic_skip =
    "Armv8.0 (cortex-a57) has no single-instruction atomic; exclusive loads are the misaligned case";
constexpr bool is_misaligned_load_cause(std::uint64_t cause) {
  return is_abort(cause, a64::exception_class::data_abort_same, 0x21);
}
constexpr bool is_misaligned_atomic_cause(std::uint64_t cause) { return is_misaligned_load_cause(cause); }

// --- an address nothing is mapped at: the board leaves the first 2 MiB unmapped
inline constexpr std::uintptr_t unbacked_address = 0;
inline constexpr cte::EventKind unbacked_kind = cte::EventKind::page_fault;
constexpr bool is_unbacked_load_cause(std::uint64_t cause) {
  return is_translation_fault(cause, a64::exception_class::data_abort_same) &&
         (a64::esr::iss(cause) & a64::abort_iss::write_not_read) == 0;
}
constexpr bool is_unbacked_store_cause(std::uint64_t cause) {
  return is_translation_fault(cause, a64::exception_class::data_abort_same) &&
         (a64::esr::iss(cause) & a64::abort_iss::write_not_read) != 0;
}
constexpr bool is_unbacked_fetch_cause(std::uint64_t cause) {
  return is_translation_fault(cause, a64::exception_class::instruction_abort_same);
}
// A fetch fault has nothing to skip: return to the caller of cte_test_call (its blr set x30).
inline void return_to_caller(cte::Context &context) { context.set_pc(context.frame().x[30]); }

// --- memory below the kernel that firmware keeps for itself
inline constexpr std::uintptr_t firmware_address = 0;
inline constexpr const char *firmware_skip = "QEMU loads the kernel itself: no firmware stays resident";

// --- an inaccessible page (ProtectedPage) is unmapped: a translation fault
inline constexpr cte::EventKind protection_fault_kind = cte::EventKind::page_fault;
inline constexpr const char *protected_fetch_skip = nullptr;

#define CTE_TEST_A64_PROBE(name, body)                                                                            \
  ".pushsection .text." name ",\"axG\",@progbits," name ",comdat\n.globl " name "\n.hidden " name "\n.type " name \
  ",@function\n.p2align 2\n" name ":\n" body ".size " name ", .-" name "\n.popsection\n"
[[gnu::used]] inline void emit_board_trap_probes() {
  asm(CTE_TEST_A64_PROBE("cte_test_load", "  ldr x0, [x0]\n  ret\n")
          CTE_TEST_A64_PROBE("cte_test_store", "  str xzr, [x0]\n  ret\n") CTE_TEST_A64_PROBE(
              "cte_test_call", "  stp x29, x30, [sp, #-16]!\n  blr x0\n  ldp x29, x30, [sp], #16\n  ret\n"));
}
#undef CTE_TEST_A64_PROBE

// --- FP controls the thread owns: FPCR (rounding: RMode, bits 23:22) and FPSR (flags).
namespace fp {
using Rounding = std::uint64_t;
inline constexpr Rounding round_to_nearest = 0, round_up = 1, round_down = 2, round_toward_zero = 3;
inline constexpr unsigned rounding_shift = 22;
inline constexpr std::uint64_t fpsr_flags = 0x1f;  // IOC DZC OFC UFC IXC

// Both in one value: FPCR in the low half, FPSR above it.
inline std::uint64_t read_controls() {
  std::uint64_t control, status;
  asm volatile("mrs %0, fpcr\n\tmrs %1, fpsr" : "=r"(control), "=r"(status));
  return control | (status << 32);
}
inline void write_controls(std::uint64_t value) {
  asm volatile("msr fpcr, %0\n\tmsr fpsr, %1" ::"r"(value & 0xffffffff), "r"(value >> 32) : "memory");
}
constexpr std::uint64_t controls_pattern(std::uint64_t bits) {
  return ((bits % 4) << rounding_shift) | ((bits & fpsr_flags) << 32);
}
// What a polluting handler leaves: round toward zero, every flag raised.
inline constexpr std::uint64_t polluted_controls = controls_pattern(fpsr_flags);  // 0x1f % 4 = 3
static_assert(fpsr_flags % 4 == round_toward_zero);

inline Rounding get_rounding() { return (read_controls() >> rounding_shift) & 3; }
inline void set_rounding(Rounding mode) {
  write_controls((read_controls() & ~(std::uint64_t{3} << rounding_shift)) | (mode << rounding_shift));
}
}  // namespace fp

}  // namespace cte_test
