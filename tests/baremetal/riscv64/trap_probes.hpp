#pragma once
// riscv64 probes for the bare-metal tests: instructions that trap, and a register holder for
// the preemption test. Each trapping probe is a function that returns normally once the
// handler has stepped over (skip_instruction) or fixed up the trapping instruction; its result
// is the return register after the trap, so a handler's set_return() is visible to the caller.
// (The hosted riscv64 port has its own, tests/arch/riscv64/trap_probes.hpp; these are written
// for bare metal and live with the bare-metal tests. Every board's ISA has such a header here,
// tests/baremetal/<isa>/trap_probes.hpp, with what the shared cases expect of the board: the
// names each defines are listed in tests/baremetal/support.hpp.)

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

#include "support/probed_register.hpp"

extern "C" {
std::uint64_t cte_test_illegal_instruction();      // unimp, 4 bytes: csrrw x0, cycle, x0 (cycle is read-only)
std::uint64_t cte_test_illegal_other_length();     // c.unimp, 2 bytes: 0x0000
void cte_test_breakpoint();                        // ebreak, 4 bytes
void cte_test_breakpoint_other_length();           // c.ebreak, 2 bytes
std::uint64_t cte_test_load(const void *address);  // ld a0, 0(a0)
void cte_test_store(void *address);                // sd zero, 0(a0)
std::uint64_t cte_test_misaligned_load(const void *address);                   // lr.d a0, (a0): needs 8-byte alignment
std::uint64_t cte_test_divide(std::uint64_t dividend, std::uint64_t divisor);  // not here (see below)
void cte_test_amo_add(void *address);        // amoadd.d zero, zero, (a0): needs alignment
void cte_test_call(std::uintptr_t address);  // jalr to address (returns to its caller if the handler sets pc = ra)
// Loads every GPR but sp and t6 (x1, x3-x30), every FP register and fcsr with table[], spins
// `iterations` times (t6 counts), then stores them all back into table[] in the same order.
void cte_test_hold_registers(std::uint64_t *table, std::uint64_t iterations);
// Loads every GPR but sp (x1, x3-x31), every FP register and fcsr with table[], executes a
// 4-byte ebreak, then stores them all back into table[] in the same order.
void cte_test_hold_registers_across_trap(std::uint64_t *table);
}

namespace cte_test {

inline constexpr bool machine_mode = cte::TargetPlatform::machine_mode;
// A store into the M-mode PMP stack guard: a store access fault.
inline bool is_guard_fault(const cte::Event &event) { return event.cause == cte::riscv64::cause::store_access_fault; }
inline constexpr const char *guard_skip =
    machine_mode ? nullptr
                 : "S-mode: the stack reserve has no hardware guard (OpenSBI owns PMP); an overflow is caught "
                   "at the thread's next trap";

namespace rv_cause = cte::riscv64::cause;

// --- instructions that trap
inline constexpr std::uint64_t illegal_instruction_cause = rv_cause::illegal_instruction;
inline constexpr std::size_t illegal_instruction_length = 4;  // unimp, not c.unimp
inline constexpr std::size_t other_illegal_length = 2;        // c.unimp: its 16 bits (0) are tval
inline constexpr const char *other_illegal_skip = nullptr;
inline constexpr std::uint64_t breakpoint_cause = rv_cause::breakpoint;
inline constexpr std::size_t breakpoint_length = 4;        // ebreak
inline constexpr std::size_t other_breakpoint_length = 2;  // c.ebreak
inline constexpr const char *other_breakpoint_skip = nullptr;
inline constexpr const char *divide_skip = "riscv64 division by zero returns all ones: it never traps";

// --- misaligned accesses: QEMU performs plain ones; LR/SC and AMOs fault
inline constexpr const char *misaligned_skip = nullptr;
inline constexpr const char *misaligned_atomic_skip = nullptr;
constexpr bool is_misaligned_load_cause(std::uint64_t cause) { return cause == rv_cause::load_misaligned; }
// The spec says store/AMO (6); QEMU 7.2 reports an AMO's misalignment as a load's (4).
constexpr bool is_misaligned_atomic_cause(std::uint64_t cause) {
  return cause == rv_cause::store_misaligned || cause == rv_cause::load_misaligned;
}

// --- an address nothing answers at on QEMU virt: physical address 0, an access fault
inline constexpr std::uintptr_t unbacked_address = 0;
inline constexpr cte::EventKind unbacked_kind = cte::EventKind::access_fault;
constexpr bool is_unbacked_load_cause(std::uint64_t cause) { return cause == rv_cause::load_access_fault; }
constexpr bool is_unbacked_store_cause(std::uint64_t cause) { return cause == rv_cause::store_access_fault; }
constexpr bool is_unbacked_fetch_cause(std::uint64_t cause) { return cause == rv_cause::instruction_access_fault; }
// A fetch fault has nothing to skip: return to the caller of cte_test_call (its jalr set ra).
inline void return_to_caller(cte::Context &context) { context.set_pc(context.frame().x[cte::riscv64::reg::ra]); }

// --- memory below the kernel that firmware keeps for itself: OpenSBI (fw_dynamic, PMP-protected;
// supervisor.ld starts the kernel 2 MiB above it)
inline constexpr std::uintptr_t firmware_address = 0x80000000;
inline constexpr const char *firmware_skip =
    machine_mode ? "M-mode owns all memory: no firmware region to protect" : nullptr;

// --- an inaccessible page (ProtectedPage): a PMP entry in M-mode, an Sv39 entry in S-mode
inline constexpr cte::EventKind protection_fault_kind =
    machine_mode ? cte::EventKind::access_fault : cte::EventKind::page_fault;
inline constexpr const char *protected_fetch_skip =
    machine_mode ? "M-mode instruction fetches are never PMP-checked (threads run with MPRV: only their loads "
                   "and stores use U-mode permissions)"
                 : nullptr;

// The instruction cte_test_illegal_instruction executes (what mtval/stval must report).
inline constexpr std::uint32_t unimp_encoding = 0xc0001073;
inline constexpr std::uint64_t illegal_instruction_ref = unimp_encoding;  // tval: the instruction
// Slots of cte_test_hold_registers' table.
inline constexpr unsigned held_gpr_words = 29;  // x1, x3..x30
inline constexpr unsigned held_fp_words = 32;   // f0..f31
inline constexpr unsigned held_fcsr_word = held_gpr_words + held_fp_words;
inline constexpr unsigned held_words = held_fcsr_word + 1;
inline constexpr unsigned a0_number = 10;  // x10: the table pointer, loaded last
// Slots of cte_test_hold_registers_across_trap's table.
inline constexpr unsigned trap_held_gpr_words = 30;  // x1, x3..x31
inline constexpr unsigned trap_held_fcsr_word = trap_held_gpr_words + held_fp_words;
inline constexpr unsigned trap_held_words = trap_held_fcsr_word + 1;
inline constexpr unsigned t6_index = trap_held_gpr_words - 1;  // x31 is the last GPR slot
// A valid fcsr for a pattern: frm in 0..4 (the defined static rounding modes), any fflags.
constexpr std::uint64_t fcsr_pattern(std::uint64_t bits) { return ((bits % 5) << 5) | (bits & 0x1f); }
constexpr std::uint64_t trap_held_pattern(unsigned word, std::uint64_t bits) {
  return word == trap_held_fcsr_word ? fcsr_pattern(bits) : bits;
}
// The value slot `word` of cte_test_hold_registers' table holds for pattern bits: fcsr takes
// only what it can hold.
constexpr std::uint64_t held_pattern(unsigned word, std::uint64_t bits) {
  return word == held_fcsr_word ? fcsr_pattern(bits) : bits;
}

struct CallFrame {
  std::uint64_t unused;
  std::uint64_t ra;
};
static_assert(sizeof(CallFrame) == 16);

struct HoldFrame {
  std::uint64_t table;  // the table pointer, while every register holds a pattern
  std::uint64_t t6;     // the trap variant parks t6 here to free a base register
  std::uint64_t unused;
  std::uint64_t ra, gp, tp;
  std::uint64_t saved_s[12];
  std::uint64_t saved_fs[12];
};
static_assert(sizeof(HoldFrame) % 16 == 0 && sizeof(HoldFrame) < 2048);

#define CTE_TEST_HELD_GPRS "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30"
#define CTE_TEST_TRAP_HELD_GPRS "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define CTE_TEST_TRAP_STORED_GPRS "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30"
#define CTE_TEST_ALL_FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define CTE_TEST_S_REGS "s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11"
#define CTE_TEST_FS_REGS "fs0,fs1,fs2,fs3,fs4,fs5,fs6,fs7,fs8,fs9,fs10,fs11"

// One probe per COMDAT group; each is a leaf function.
#define CTE_TEST_PROBE_BEGIN(name) \
  ".pushsection .text." name ",\"axG\",@progbits," name ",comdat\n.globl " name "\n.hidden " name "\n" name ":\n"
#define CTE_TEST_PROBE_END ".popsection\n"

// clang-format off
// The two register holders' shared parts (HoldFrame; operands frame_size, table_slot, ra_slot,
// gp_slot, tp_slot, saved_s, saved_fs, word, gpr_words, fcsr_word):
// - save what the psABI makes ours to preserve (ra, gp, tp, s0-s11, fs0-fs11) and the table (a0);
// - load the FP registers and fcsr from the table at a0;
// - load the GPRs of `list` from the table at a0 (a0, the base, last; operand a0_number);
// - store fcsr and the FP registers into the table at t6, restore what was saved, and return.
#define CTE_TEST_HOLD_SAVE_KEPT \
  "  addi sp, sp, -%[frame_size]\n" \
  "  sd a0, %[table_slot](sp)\n" \
  "  sd ra, %[ra_slot](sp)\n" \
  "  sd gp, %[gp_slot](sp)\n" \
  "  sd tp, %[tp_slot](sp)\n" \
  "  .set .Lcte_hold_i, 0\n" \
  "  .irp r," CTE_TEST_S_REGS "\n" \
  "  sd \\r, (%[saved_s] + .Lcte_hold_i * %[word])(sp)\n" \
  "  fsd f\\r, (%[saved_fs] + .Lcte_hold_i * %[word])(sp)\n" \
  "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n" \
  "  .endr\n"
#define CTE_TEST_HOLD_LOAD_FP \
  "  .irp n," CTE_TEST_ALL_FPRS "\n" \
  "  fld f\\n, ((%[gpr_words] + \\n) * %[word])(a0)\n" \
  "  .endr\n" \
  "  ld t0, (%[fcsr_word] * %[word])(a0)\n" \
  "  fscsr t0\n"
#define CTE_TEST_HOLD_LOAD_GPRS(list) \
  "  .set .Lcte_hold_i, 0\n" \
  "  .irp n," list "\n" \
  "  .if \\n != %[a0_number]\n" \
  "  ld x\\n, (.Lcte_hold_i * %[word])(a0)\n" \
  "  .else\n" \
  "  .set .Lcte_hold_a0, .Lcte_hold_i\n" \
  "  .endif\n" \
  "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n" \
  "  .endr\n" \
  "  ld a0, (.Lcte_hold_a0 * %[word])(a0)\n"
#define CTE_TEST_HOLD_STORE_FP_AND_RETURN \
  "  frcsr t0\n" \
  "  sd t0, (%[fcsr_word] * %[word])(t6)\n" \
  "  .irp n," CTE_TEST_ALL_FPRS "\n" \
  "  fsd f\\n, ((%[gpr_words] + \\n) * %[word])(t6)\n" \
  "  .endr\n" \
  "  ld ra, %[ra_slot](sp)\n" \
  "  ld gp, %[gp_slot](sp)\n" \
  "  ld tp, %[tp_slot](sp)\n" \
  "  .set .Lcte_hold_i, 0\n" \
  "  .irp r," CTE_TEST_S_REGS "\n" \
  "  ld \\r, (%[saved_s] + .Lcte_hold_i * %[word])(sp)\n" \
  "  fld f\\r, (%[saved_fs] + .Lcte_hold_i * %[word])(sp)\n" \
  "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n" \
  "  .endr\n" \
  "  addi sp, sp, %[frame_size]\n" \
  "  ret\n"
// clang-format on

[[gnu::used]] inline void emit_trap_probes() {
  asm volatile(
      // Illegal instruction, 4 bytes. norvc everywhere a probe needs a fixed length.
      CTE_TEST_PROBE_BEGIN("cte_test_illegal_instruction")
      "  .option push\n  .option norvc\n  unimp\n  .option pop\n  ret\n" CTE_TEST_PROBE_END
      // Illegal instruction, 2 bytes (the all-zero parcel is defined to be illegal).
      CTE_TEST_PROBE_BEGIN("cte_test_illegal_other_length")
      "  c.unimp\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_breakpoint")
      "  .option push\n  .option norvc\n  ebreak\n  .option pop\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_breakpoint_other_length")
      "  c.ebreak\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_load")
      "  ld a0, 0(a0)\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_store")
      "  sd zero, 0(a0)\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_misaligned_load")
      "  lr.d a0, (a0)\n  ret\n" CTE_TEST_PROBE_END
      CTE_TEST_PROBE_BEGIN("cte_test_amo_add")
      "  amoadd.d zero, zero, (a0)\n  ret\n" CTE_TEST_PROBE_END);

  asm volatile(
      // A call through a0; keeps its own return address on the stack.
      CTE_TEST_PROBE_BEGIN("cte_test_call")
      "  addi sp, sp, -%[frame_size]\n"
      "  sd ra, %[ra_slot](sp)\n"
      "  jalr a0\n"
      "  ld ra, %[ra_slot](sp)\n"
      "  addi sp, sp, %[frame_size]\n"
      "  ret\n" CTE_TEST_PROBE_END ::[frame_size] "i"(sizeof(CallFrame)), [ra_slot] "i"(offsetof(CallFrame, ra)));

  asm volatile(
      // cte_test_hold_registers(table = a0, iterations = a1). Saves what the psABI makes ours
      // to preserve (ra, gp, tp, s0-s11, fs0-fs11), loads the FP registers, fcsr and the GPRs
      // from the table (a0, the base, last), spins with t6 as the counter, then reloads the
      // table pointer into t6 (the counter is 0 by then) and stores everything back.
      CTE_TEST_PROBE_BEGIN("cte_test_hold_registers") CTE_TEST_HOLD_SAVE_KEPT
      "  mv t6, a1\n" CTE_TEST_HOLD_LOAD_FP
      CTE_TEST_HOLD_LOAD_GPRS(CTE_TEST_HELD_GPRS)
      "1:\n"
      "  addi t6, t6, -1\n"
      "  bnez t6, 1b\n"
      "  ld t6, %[table_slot](sp)\n"
      "  .set .Lcte_hold_i, 0\n"
      "  .irp n," CTE_TEST_HELD_GPRS
      "\n"
      "  sd x\\n, (.Lcte_hold_i * %[word])(t6)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n" CTE_TEST_HOLD_STORE_FP_AND_RETURN CTE_TEST_PROBE_END ::[frame_size] "i"(sizeof(HoldFrame)),
      [table_slot] "i"(offsetof(HoldFrame, table)), [ra_slot] "i"(offsetof(HoldFrame, ra)),
      [gp_slot] "i"(offsetof(HoldFrame, gp)), [tp_slot] "i"(offsetof(HoldFrame, tp)),
      [saved_s] "i"(offsetof(HoldFrame, saved_s)), [saved_fs] "i"(offsetof(HoldFrame, saved_fs)),
      [word] "i"(sizeof(std::uint64_t)), [gpr_words] "i"(held_gpr_words), [fcsr_word] "i"(held_fcsr_word),
      [a0_number] "i"(a0_number));

  asm volatile(
      // cte_test_hold_registers_across_trap(table = a0): as above, but every GPR but sp holds a
      // pattern and an ebreak takes the place of the loop. Afterwards t6 is parked in the frame
      // to free a base register, then stored with the others.
      CTE_TEST_PROBE_BEGIN("cte_test_hold_registers_across_trap") CTE_TEST_HOLD_SAVE_KEPT CTE_TEST_HOLD_LOAD_FP
      CTE_TEST_HOLD_LOAD_GPRS(CTE_TEST_TRAP_HELD_GPRS)
      "  .option push\n  .option norvc\n  ebreak\n  .option pop\n"
      "  sd t6, %[t6_slot](sp)\n"
      "  ld t6, %[table_slot](sp)\n"
      "  .set .Lcte_hold_i, 0\n"
      "  .irp n," CTE_TEST_TRAP_STORED_GPRS
      "\n"
      "  sd x\\n, (.Lcte_hold_i * %[word])(t6)\n"
      "  .set .Lcte_hold_i, .Lcte_hold_i + 1\n"
      "  .endr\n"
      "  ld t0, %[t6_slot](sp)\n"
      "  sd t0, (%[t6_index] * %[word])(t6)\n" CTE_TEST_HOLD_STORE_FP_AND_RETURN CTE_TEST_PROBE_END ::[frame_size] "i"(
          sizeof(HoldFrame)),
      [table_slot] "i"(offsetof(HoldFrame, table)), [t6_slot] "i"(offsetof(HoldFrame, t6)),
      [ra_slot] "i"(offsetof(HoldFrame, ra)), [gp_slot] "i"(offsetof(HoldFrame, gp)),
      [tp_slot] "i"(offsetof(HoldFrame, tp)), [saved_s] "i"(offsetof(HoldFrame, saved_s)),
      [saved_fs] "i"(offsetof(HoldFrame, saved_fs)), [word] "i"(sizeof(std::uint64_t)),
      [gpr_words] "i"(trap_held_gpr_words), [fcsr_word] "i"(trap_held_fcsr_word), [t6_index] "i"(t6_index),
      [a0_number] "i"(a0_number));
}

// --- FP controls the thread owns: fcsr (frm, the rounding mode, and fflags).
namespace fp {
using Rounding = std::uint64_t;
inline constexpr Rounding round_to_nearest = 0, round_toward_zero = 1, round_down = 2, round_up = 3;
inline std::uint64_t read_controls() {
  std::uint64_t value;
  asm volatile("frcsr %0" : "=r"(value));
  return value;
}
inline void write_controls(std::uint64_t value) { asm volatile("fscsr %0" ::"r"(value)); }
constexpr std::uint64_t controls_pattern(std::uint64_t bits) { return fcsr_pattern(bits); }
// What a polluting handler leaves: round toward zero, every flag raised.
inline constexpr std::uint64_t polluted_controls = (round_toward_zero << 5) | 0x1f;
inline Rounding get_rounding() {
  std::uint64_t mode;
  asm volatile("frrm %0" : "=r"(mode));
  return mode;
}
inline void set_rounding(Rounding mode) { asm volatile("fsrm %0" ::"r"(mode)); }
}  // namespace fp

// The registers the probe's negative test changes in a trap frame: s11 (x27) and f31.
inline constexpr ProbedRegister probed_gpr{27 - 2, offsetof(cte::Context::Frame, x[27])};
inline constexpr ProbedRegister probed_fp{held_gpr_words + 31, offsetof(cte::Context::Frame, f[31])};

}  // namespace cte_test
