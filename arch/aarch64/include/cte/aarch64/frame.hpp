#pragma once
// aarch64 trap frame: what trap entry saves on the interrupted stack and restore reloads.
// Assembly reads every offset from this type (offsetof as asm operands).
//
// Register roles (AAPCS64): x0-x7 arguments/results, x8 indirect result (and the syscall
// number, as Linux and bare-metal svc use it), x9-x15 temporaries, x16/x17 IP0/IP1 (the
// linker's veneers may corrupt them at any branch), x18 platform register, x19-x28
// callee-saved, x29 frame pointer, x30 link register. v8-v15 are callee-saved in their low
// 64 bits (d8-d15) only; every other vector register is caller-saved.
//
// FP control/status policy: every thread owns its FPCR and FPSR. AAPCS64 makes FPCR a global
// register that only "specific support functions" (fesetround, fesetenv, ...) change, i.e.
// state of the thread of execution, and leaves the FPSR flags unspecified across calls; C
// gives the whole floating-point environment (controls and flags) thread storage duration.
// So yield, syscall and the fast switch keep both per thread; a kcontext thread starts with
// FPCR = 0 (round to nearest, no traps, no flush-to-zero) and clear FPSR flags.
//
// Scratch registers on restore: user mode cannot load all 31 GPRs, SP and the PC at once
// without registers to jump through and to move SP with. Restoring a frame whose
// frame_state::asynchronous bit is clear (a voluntary trap: a call) uses x16 and x17
// (IP0/IP1): on arrival x17 holds the resume address and x16 the last value the resume needed
// (the new SP, or the hosted enable word's address). Both are caller-saved and may be
// corrupted by any branch through a veneer, so no code can depend on them there. Hosted, that
// resume loads only what a call keeps (x19-x30, SP, d8-d15 as q8-q15, FPCR, FPSR) and x0, the
// return value: the other caller-saved registers and NZCV are dead at the call (a yield does
// not even store them: hosted trap_entry.hpp). Asynchronous
// frames (saved by the hosted signal layer at an arbitrary instruction) are never resumed that
// way: the restore stub hands them to the exact resume (hosted: a signal to the thread itself,
// whose sigreturn loads every register; see cte_aarch64_resume_exact in trap_entry.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/library_words.hpp>

namespace cte::aarch64 {

// Which slot of the exception vector table the trap came through.
enum class TrapKind : std::uint8_t {
  synchronous = 0,  // exceptions, svc, brk
  irq = 1,
  fiq = 2,
  serror = 3,
};

// ESR_ELx: exception class (EC) in bits 31:26, instruction length (IL) bit 25, ISS in 24:0.
namespace esr {
inline constexpr unsigned ec_shift = 26;
inline constexpr std::uint64_t ec_mask = 0x3f;
inline constexpr std::uint64_t il_bit = std::uint64_t{1} << 25;  // 32-bit instruction trapped
inline constexpr std::uint64_t iss_mask = (std::uint64_t{1} << 25) - 1;
inline constexpr std::uint64_t imm16_mask = 0xffff;  // svc/brk immediate in ISS[15:0]

constexpr std::uint64_t exception_class(std::uint64_t value) { return (value >> ec_shift) & ec_mask; }
constexpr std::uint64_t iss(std::uint64_t value) { return value & iss_mask; }
constexpr std::uint64_t make(std::uint64_t exception_class, std::uint64_t iss = 0) {
  return (exception_class << ec_shift) | il_bit | (iss & iss_mask);
}
}  // namespace esr

// ESR_ELx.EC values (Arm Architecture Reference Manual, register ESR_EL1).
namespace exception_class {
inline constexpr std::uint64_t unknown = 0x00;  // undefined instruction (udf, ...)
inline constexpr std::uint64_t wfi_wfe = 0x01;
inline constexpr std::uint64_t fp_access = 0x07;      // FP/SIMD access trapped (CPACR)
inline constexpr std::uint64_t branch_target = 0x0d;  // BTI fault
inline constexpr std::uint64_t illegal_state = 0x0e;  // illegal execution state
inline constexpr std::uint64_t svc64 = 0x15;
inline constexpr std::uint64_t hvc64 = 0x16;
inline constexpr std::uint64_t smc64 = 0x17;
inline constexpr std::uint64_t system_register = 0x18;  // msr/mrs/sys trapped
inline constexpr std::uint64_t sve_access = 0x19;
inline constexpr std::uint64_t pointer_authentication = 0x1c;  // FPAC authentication failure
inline constexpr std::uint64_t instruction_abort_lower = 0x20;
inline constexpr std::uint64_t instruction_abort_same = 0x21;
inline constexpr std::uint64_t pc_alignment = 0x22;
inline constexpr std::uint64_t data_abort_lower = 0x24;
inline constexpr std::uint64_t data_abort_same = 0x25;
inline constexpr std::uint64_t sp_alignment = 0x26;
inline constexpr std::uint64_t fp_exception64 = 0x2c;  // trapped IEEE exception
inline constexpr std::uint64_t serror = 0x2f;
inline constexpr std::uint64_t breakpoint_lower = 0x30;  // hardware breakpoint
inline constexpr std::uint64_t breakpoint_same = 0x31;
inline constexpr std::uint64_t software_step_lower = 0x32;
inline constexpr std::uint64_t software_step_same = 0x33;
inline constexpr std::uint64_t watchpoint_lower = 0x34;
inline constexpr std::uint64_t watchpoint_same = 0x35;
inline constexpr std::uint64_t brk64 = 0x3c;
}  // namespace exception_class

// ISS fields of data and instruction aborts.
namespace abort_iss {
inline constexpr std::uint64_t status_mask = 0x3f;                      // DFSC / IFSC
inline constexpr std::uint64_t write_not_read = std::uint64_t{1} << 6;  // WnR (data aborts)
inline constexpr std::uint64_t far_not_valid = std::uint64_t{1} << 10;  // FnV
}  // namespace abort_iss

// Fault status codes (DFSC/IFSC) the hosted layer reports; see decode.hpp for the full set.
namespace fault_status {
inline constexpr std::uint64_t translation_level3 = 0x07;
inline constexpr std::uint64_t permission_level3 = 0x0f;
inline constexpr std::uint64_t synchronous_external = 0x10;
inline constexpr std::uint64_t tag_check = 0x11;
inline constexpr std::uint64_t alignment = 0x21;
}  // namespace fault_status

// ISS fields of a trapped floating-point exception (EC 0x2c).
namespace fp_iss {
inline constexpr std::uint64_t trapped_fault_valid = std::uint64_t{1} << 23;  // TFV: the bits below are valid
inline constexpr std::uint64_t input_denormal = std::uint64_t{1} << 7;        // IDF
inline constexpr std::uint64_t inexact = std::uint64_t{1} << 4;               // IXF
inline constexpr std::uint64_t underflow = std::uint64_t{1} << 3;             // UFF
inline constexpr std::uint64_t overflow = std::uint64_t{1} << 2;              // OFF
inline constexpr std::uint64_t divide_by_zero = std::uint64_t{1} << 1;        // DZF
inline constexpr std::uint64_t invalid_operation = std::uint64_t{1} << 0;     // IOF
}  // namespace fp_iss

// The svc convention both hosted and bare-metal code use: number in x8 (any value), arguments
// x0-x5, result in x0, `svc #0`. The library's own voluntary traps are marked by the svc
// immediate (ISS[15:0]), a voluntary_trap marker: yield is `svc #1`, a returned kcontext
// thread `svc #2` (cte/voluntary_trap.hpp), never by a register.
constexpr std::uint64_t svc_esr_of(std::uint64_t marker) { return esr::make(exception_class::svc64, marker); }

// Interrupt IDs as the GIC numbers them (the board supplies the ID of an IRQ/FIQ). SGIs are
// software-generated; the EL1 physical and virtual timers and EL2's physical timer are the
// architected timer PPIs.
// Hosted, the tick is IRQ physical_timer and the external line an FIQ whose ID is the raiser's
// payload (see hosted_signal.hpp).
namespace interrupt_id {
inline constexpr std::uint64_t software_last = 15;              // SGIs are 0..15
inline constexpr std::uint64_t hypervisor_physical_timer = 26;  // EL2's CNTHP (a kernel at EL2)
inline constexpr std::uint64_t virtual_timer = 27;
inline constexpr std::uint64_t physical_timer = 30;
inline constexpr std::uint64_t external_first = 32;  // first SPI
}  // namespace interrupt_id

// One 128-bit SIMD&FP register (q0-q31).
struct alignas(16) VectorRegister {
  std::uint64_t low;
  std::uint64_t high;
};
static_assert(sizeof(VectorRegister) == 16);

struct alignas(16) Frame {
  std::uint64_t x[31];   // x0-x30 (hosted voluntary frames: only x0 and x19-x30 are resumed, see above)
  std::uint64_t sp;      // stack pointer of the interrupted code
  std::uint64_t pc;      // resume address (ELR_EL1 on bare metal)
  std::uint64_t pstate;  // SPSR_EL1 on bare metal; hosted: the signal's PSTATE (asynchronous), else 0
  // Why the trap happened.
  std::uint64_t esr;           // ESR_EL1 (hosted voluntary traps: the value an svc would give)
  std::uint64_t far;           // FAR_EL1: fault address, when the exception class has one
  std::uint64_t trap_kind;     // TrapKind: the vector-table slot
  std::uint64_t interrupt_id;  // IRQ/FIQ: the interrupt ID the board read from its controller (hosted FIQ: the payload)
  // The library's own words (cte/library_words.hpp).
  LibraryWords library;
  // FP/SIMD state. With frame_state::asynchronous clear only fpcr, fpsr and q8-q15 are
  // meaningful (a call keeps only the callee-saved d8-d15; the whole q8-q15 are stored).
  std::uint64_t fpcr;
  std::uint64_t fpsr;
  VectorRegister q[32];
};
static_assert(sizeof(Frame) == 864, "frame layout changed: check the asm offsets");
static_assert(alignof(Frame) == 16 && sizeof(Frame) % 16 == 0, "frames stack at 16-byte alignment");
static_assert(offsetof(Frame, q) % 16 == 0, "ldp/stp of q registers need 16-byte aligned slots");
// The stubs store these pairs with single stp/ldp instructions.
static_assert(offsetof(Frame, sp) == offsetof(Frame, x) + 31 * 8, "x30 and sp are an stp pair");
static_assert(offsetof(Frame, pstate) == offsetof(Frame, pc) + 8, "pc and pstate are an stp pair");
static_assert(offsetof(Frame, far) == offsetof(Frame, esr) + 8, "esr and far are an stp pair");
static_assert(offsetof(Frame, interrupt_id) == offsetof(Frame, trap_kind) + 8,
              "trap_kind and interrupt_id are an stp pair");
static_assert(offsetof(Frame, fpsr) == offsetof(Frame, fpcr) + 8, "fpcr and fpsr are an stp pair");
// Scaled immediates of ldp/stp: x pairs reach 504 bytes, q pairs 1008.
static_assert(offsetof(Frame, fpcr) <= 504 && offsetof(Frame, q[30]) <= 1008, "frame offsets exceed the ldp/stp range");

// AAPCS64 has no red zone: nothing below a thread's SP belongs to it, and SP is 16-byte
// aligned at every call. The frame of a thread whose stack pointer is S sits directly below S,
// rounded down to that alignment (an asynchronous trap can find SP unaligned mid-sequence):
// frame_address_below(S). At a call that is exactly S - frame_gap, which the stubs use as an
// immediate and the voluntary resume relies on to keep the frame above SP until its last load
// (see trap_entry.hpp). Isa::frame_below is the one helper that places frames.
inline constexpr std::uintptr_t stack_alignment = 16;
constexpr std::uintptr_t frame_address_below(std::uintptr_t sp) {
  return (sp - sizeof(Frame)) & ~(stack_alignment - 1);
}
inline constexpr std::size_t frame_gap = sizeof(Frame);
static_assert(frame_gap % stack_alignment == 0 && frame_gap <= 4095, "frame_gap must be an add/sub immediate");
static_assert(frame_address_below(0x10000) == 0x10000 - frame_gap, "at an aligned SP the frame is frame_gap below");
static_assert(frame_address_below(0x10008) % stack_alignment == 0 &&
              frame_address_below(0x10008) + sizeof(Frame) <= 0x10008);

}  // namespace cte::aarch64
