#pragma once
// x86_64 probes for the bare-metal tests: the hosted ones (plain instructions, no signals:
// tests/arch/x86_64/trap_probes.hpp) and what the board's cases add, with what the shared
// cases expect of the pc (the names every tests/baremetal/<isa>/trap_probes.hpp defines are
// listed in tests/baremetal/support.hpp).

#include <cstdint>

#include <cte/cte.hpp>

#include "../../arch/x86_64/trap_probes.hpp"

extern "C" {
std::uint64_t cte_test_load(const void *address);  // mov (%rdi), %rax
void cte_test_store(void *address);                // movq $0, (%rdi)
void cte_test_call(std::uintptr_t address);        // call *%rdi
std::uint64_t cte_test_illegal_other_length();     // ud1 %eax, %eax: 3 bytes
void cte_test_breakpoint_other_length();           // not on x86_64 (see below)
void cte_test_amo_add(void *address);              // not on x86_64 (see below)
}

namespace cte_test {

namespace xv = cte::x86_64::vector;

// No riscv64 M-mode here: no hardware guard on a plain (non-GuardedStack) stack.
inline constexpr bool machine_mode = false;
// A thread that runs into GuardedStack's unmapped guard page: #PF.
inline bool is_guard_fault(const cte::Event &event) { return event.cause == xv::page_fault; }
inline constexpr const char *guard_skip = nullptr;

// --- instructions that trap
inline constexpr std::uint64_t illegal_instruction_cause = xv::invalid_opcode;
inline constexpr std::size_t illegal_instruction_length = 2;  // ud2
inline constexpr std::uint64_t illegal_instruction_ref = 0;
inline constexpr std::size_t other_illegal_length = 3;
inline constexpr const char *other_illegal_skip = nullptr;
inline constexpr std::uint64_t breakpoint_cause = xv::breakpoint;
inline constexpr std::size_t breakpoint_length = 1;  // int3 (the board moves rip back to it)
inline constexpr std::size_t other_breakpoint_length = 0;
inline constexpr const char *other_breakpoint_skip =
    "x86_64 has one breakpoint instruction the pc reports (int3; `int $3` is a software interrupt)";
inline constexpr const char *divide_skip = nullptr;

// --- misaligned accesses: ring 0 performs them all (#AC applies at CPL 3 only)
inline constexpr const char *misaligned_skip = "ring 0 never checks alignment (#AC applies at CPL 3 only)";
inline constexpr const char *misaligned_atomic_skip = "a locked x86_64 instruction works at any alignment";
constexpr bool is_misaligned_load_cause(std::uint64_t cause) { return cause == xv::alignment_check; }
constexpr bool is_misaligned_atomic_cause(std::uint64_t cause) { return cause == xv::alignment_check; }

// --- an inaccessible page (ProtectedPage) is not present: #PF
inline constexpr cte::EventKind protection_fault_kind = cte::EventKind::page_fault;
inline constexpr const char *protected_fetch_skip = nullptr;

// --- an address nothing is mapped at: above the identity-mapped 4 GiB, a #PF with CR2
inline constexpr std::uintptr_t unbacked_address = std::uintptr_t{4} << 30;
inline constexpr cte::EventKind unbacked_kind = cte::EventKind::page_fault;
constexpr bool is_unbacked_load_cause(std::uint64_t cause) { return cause == xv::page_fault; }
constexpr bool is_unbacked_store_cause(std::uint64_t cause) { return cause == xv::page_fault; }
constexpr bool is_unbacked_fetch_cause(std::uint64_t cause) { return cause == xv::page_fault; }
// A fetch fault has nothing to skip: return to the caller of cte_test_call (whose return
// address the call pushed).
inline void return_to_caller(cte::Context &context) {
  auto &frame = context.frame();
  frame.rip = *reinterpret_cast<const std::uint64_t *>(frame.rsp);
  frame.rsp += sizeof(std::uint64_t);
}

// --- memory below the kernel that firmware keeps for itself
inline constexpr std::uintptr_t firmware_address = 0;
inline constexpr const char *firmware_skip = "the pc's firmware (SeaBIOS) is gone once the kernel runs";

[[gnu::used]] inline void emit_board_trap_probes() {
  asm(".pushsection .text.cte_test_load,\"axG\",@progbits,cte_test_load,comdat\n"
      ".globl cte_test_load\n.hidden cte_test_load\n"
      "cte_test_load:\n  mov (%rdi), %rax\n  ret\n.popsection\n"

      ".pushsection .text.cte_test_store,\"axG\",@progbits,cte_test_store,comdat\n"
      ".globl cte_test_store\n.hidden cte_test_store\n"
      "cte_test_store:\n  movq $0, (%rdi)\n  ret\n.popsection\n"

      ".pushsection .text.cte_test_call,\"axG\",@progbits,cte_test_call,comdat\n"
      ".globl cte_test_call\n.hidden cte_test_call\n"
      "cte_test_call:\n  sub $8, %rsp\n  call *%rdi\n  add $8, %rsp\n  ret\n.popsection\n"

      ".pushsection .text.cte_test_illegal_other_length,\"axG\",@progbits,cte_test_illegal_other_length,comdat\n"
      ".globl cte_test_illegal_other_length\n.hidden cte_test_illegal_other_length\n"
      "cte_test_illegal_other_length:\n  .byte 0x0f, 0xb9, 0xc0\n  ret\n.popsection\n");  // ud1 %eax, %eax
}

// --- FP controls the thread owns: MXCSR and the x87 control word (rounding in both).
namespace fp {
using Rounding = std::uint64_t;
inline constexpr Rounding round_to_nearest = 0, round_down = 1, round_up = 2, round_toward_zero = 3;
inline constexpr unsigned mxcsr_rounding_shift = 13, x87_rounding_shift = 10;
inline constexpr std::uint64_t mxcsr_masks = 0x1f80, mxcsr_flags = 0x3f, x87_masks = 0x037f;

inline std::uint32_t read_mxcsr() {
  std::uint32_t value;
  asm volatile("stmxcsr %0" : "=m"(value));
  return value;
}
inline std::uint16_t read_x87_control() {
  std::uint16_t value;
  asm volatile("fnstcw %0" : "=m"(value));
  return value;
}
// Both control words in one value: MXCSR in the low half, the x87 control word above it.
inline std::uint64_t read_controls() { return read_mxcsr() | (std::uint64_t{read_x87_control()} << 32); }
inline void write_controls(std::uint64_t value) {
  const auto mxcsr = static_cast<std::uint32_t>(value);
  const auto x87 = static_cast<std::uint16_t>(value >> 32);
  asm volatile("ldmxcsr %0\n\tfldcw %1" ::"m"(mxcsr), "m"(x87) : "memory");
}
// Every exception stays masked (an unmasked one would trap); rounding and MXCSR's flags vary.
constexpr std::uint64_t controls_pattern(std::uint64_t bits) {
  const std::uint64_t rounding = bits % 4;
  return (mxcsr_masks | (rounding << mxcsr_rounding_shift) | (bits & mxcsr_flags)) |
         ((x87_masks | (rounding << x87_rounding_shift)) << 32);
}
// What a polluting handler leaves: round toward zero, every MXCSR flag raised.
inline constexpr std::uint64_t polluted_controls = controls_pattern(mxcsr_flags);  // 0x3f % 4 = 3
static_assert(mxcsr_flags % 4 == round_toward_zero);

inline Rounding get_rounding() { return (read_mxcsr() >> mxcsr_rounding_shift) & 3; }
inline void set_rounding(Rounding mode) {
  write_controls((read_controls() &
                  ~((std::uint64_t{3} << mxcsr_rounding_shift) | (std::uint64_t{3} << (32 + x87_rounding_shift)))) |
                 (mode << mxcsr_rounding_shift) | (mode << (32 + x87_rounding_shift)));
}
}  // namespace fp

}  // namespace cte_test
