#pragma once
// riscv64 under Linux: a signal's ucontext <-> Frame, and signal -> scause. Linux (and
// qemu-user) report the faulting pc and address but no scause, so the cause a bare-metal
// kernel would see is rebuilt from the signal, its si_code and the instruction at pc:
//
//   signal (si_code > 0)       scause                                  stval
//   SIGILL                     2 illegal instruction                   instruction bits at pc
//   SIGTRAP                    3 breakpoint (pc at the ebreak)         pc
//   SIGSEGV                    12 / 13 / 15 instruction / load /       si_addr
//                              store-AMO page fault
//   SIGBUS BUS_ADRALN          0 / 4 / 6 instruction / load /          si_addr
//                              store-AMO address misaligned
//   SIGBUS other               1 / 5 / 7 instruction / load /          si_addr
//                              store-AMO access fault
//   anything else (SIGFPE)     24 cause::hosted_unmapped_signal        signal number
//                              (decodes as an error: RISC-V has no FP or divide traps)
//
// Instruction vs. data: a fault whose address lies within the instruction at pc is a fetch
// fault. Load vs. store: decoded from the instruction at pc (stores, SC and AMOs are
// store/AMO faults; LR and everything else loads). Signals sent by software (si_code <= 0:
// kill, tgkill, sigqueue) carry no fault: SIGILL -> 2, SIGTRAP -> 3, SIGSEGV -> 13,
// SIGBUS -> 5 with stval 0, others -> 24.
//
// Interrupts: timer -> 0x8000000000000005 (supervisor timer, as QEMU's virt board with
// OpenSBI reports it), external -> 0x8000000000000009 with the payload as the claimed source
// (Frame::irq_id: the decoder reports it as the event's cause and ref), software ->
// 0x8000000000000001. stval holds the payload.

#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <cstdint>
#include <cstring>

#include <cte/context.hpp>
#include <cte/interrupt_source.hpp>
#include <cte/platform/hosted_external.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/guarded_touch.hpp>
#include <cte/riscv64/instruction_length.hpp>
#include <cte/riscv64/trap_entry.hpp>

namespace cte::detail::hosted {
// The program's own executable segments (defined by the signal layer, hosted_traps.hpp).
inline bool in_program_text(std::uintptr_t pc);
}  // namespace cte::detail::hosted

namespace cte::riscv64 {

// The kernel's riscv64 mcontext: __gregs[0] is the pc, __gregs[n] register xn for n >= 1;
// the D-extension view of the FP state holds f0-f31 as raw 64-bit patterns, then fcsr.
static_assert(REG_PC == 0 && REG_RA == reg::ra && REG_SP == reg::sp && REG_TP == reg::tp && REG_S0 == reg::s0 &&
              REG_A0 == reg::a0 && REG_S2 == reg::s2);
static_assert(sizeof(mcontext_t{}.__gregs) / sizeof(mcontext_t{}.__gregs[0]) == reg::count);
static_assert(sizeof(mcontext_t{}.__fpregs.__d.__f) / sizeof(mcontext_t{}.__fpregs.__d.__f[0]) == freg::count);

// --- What the instruction at a faulting pc does (for the load / store-AMO split).

// True for instructions that write memory, in the sense of the privileged spec's cause codes:
// stores, FP stores, SC and AMOs ("store/AMO"). LR and every other instruction count as loads.
constexpr bool is_store_or_amo(std::uint32_t insn, std::size_t length) {
  if (length == 2) {
    // RV64C: quadrants 0 and 2 with funct3 5-7 are c.fsd/c.sw/c.sd and c.fsdsp/c.swsp/c.sdsp.
    const std::uint32_t quadrant = insn & 0x3;
    const std::uint32_t funct3 = (insn >> 13) & 0x7;
    return (quadrant == 0 || quadrant == 2) && funct3 >= 5;
  }
  constexpr std::uint32_t store = 0x23, store_fp = 0x27, amo = 0x2f;
  constexpr std::uint32_t funct5_lr = 0x02;
  const std::uint32_t opcode = insn & 0x7f;
  if (opcode == store || opcode == store_fp) return true;
  if (opcode == amo) return ((insn >> 27) & 0x1f) != funct5_lr;
  return false;
}

// SC.W / SC.D (the A extension's store-conditional): AMO major opcode, funct5 = 00011.
constexpr bool is_store_conditional(std::uint32_t insn) {
  constexpr std::uint32_t amo = 0x2f, funct5_sc = 0x03;
  const std::uint32_t funct3 = (insn >> 12) & 0x7;
  return (insn & 0x7f) == amo && ((insn >> 27) & 0x1f) == funct5_sc && (funct3 == 2 || funct3 == 3);
}

// The bits of the instruction at `pc` (16 or 32 of them) and its length; reads the second
// parcel only for a 32-bit instruction, so a compressed instruction at the end of a page is
// read safely. The pc must point at an instruction that was fetched.
struct InstructionBits {
  std::uint32_t bits = 0;
  std::size_t length = 0;
};
inline InstructionBits instruction_at(std::uintptr_t pc) {
  InstructionBits result;
  if (pc == 0 || pc % insn_length::parcel != 0) return result;
  std::uint16_t parcel = 0;
  std::memcpy(&parcel, reinterpret_cast<const void *>(pc), sizeof parcel);
  result.bits = parcel;
  result.length = instruction_length(parcel);
  if (result.length == 4) {
    std::memcpy(&parcel, reinterpret_cast<const void *>(pc + insn_length::parcel), sizeof parcel);
    result.bits |= std::uint32_t{parcel} << 16;
  }
  return result;
}

// An interrupt's cause fields, as trap entry would record them.
struct InterruptCause {
  std::uint64_t cause = 0;
  std::uint64_t tval = 0;
  std::uint64_t irq_id_valid = 0;
  std::uint64_t irq_id = 0;
};
constexpr InterruptCause interrupt_cause(InterruptSource source, std::uint64_t payload) {
  switch (source) {
    case InterruptSource::timer: return {cause::supervisor_timer_interrupt, payload, 0, 0};
    case InterruptSource::external: return {cause::supervisor_external_interrupt, payload, 1, payload};
    case InterruptSource::software: return {cause::supervisor_software_interrupt, payload, 0, 0};
  }
  return {cause::supervisor_software_interrupt, payload, 0, 0};
}

struct HostedSignals {
  // Nothing to do: the handler runs with the interrupted code's gp and tp (which the program
  // never changes) and its fcsr (a voluntary trap's handler does too; the resumed thread gets
  // its own fcsr back from its frame either way).
  static void enter_handler() {}

  // The pc the signal layer checks before it takes an interrupt (is the thread in the
  // program's own code?).
  static std::uintptr_t pc(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.__gregs[REG_PC]); }
  static void set_pc(ucontext_t &uc, std::uintptr_t pc) { uc.uc_mcontext.__gregs[REG_PC] = pc; }
  // The readability probe's touch (platform/hosted_read_probe.hpp).
  using GuardedTouch = riscv64::GuardedTouch;
  static std::uintptr_t sp(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.__gregs[REG_SP]); }

  // Every register of the interrupted code: x1-x31, pc, f0-f31 and fcsr. The frame is marked
  // asynchronous; the cause fields are cleared (set_*_cause fills them). The frame is the
  // interrupted code exactly; the ucontext is then made safe to resume as it is (see
  // fail_interrupted_sc): the signal layer returns without load() when no interrupt is taken.
  static void save(ucontext_t &uc, Frame &f) {
    const auto &g = uc.uc_mcontext.__gregs;
    f.x[reg::zero] = 0;
    for (unsigned n = 1; n < reg::count; ++n) f.x[n] = g[n];
    f.pc = g[REG_PC];
    const auto &fp = uc.uc_mcontext.__fpregs.__d;
    for (unsigned n = 0; n < freg::count; ++n) f.f[n] = fp.__f[n];
    f.fcsr = fp.__fcsr;
    f.cause = 0;
    f.tval = 0;
    f.status = 0;
    f.irq_id = 0;
    f.irq_id_valid = 0;
    f.library.state = frame_state::asynchronous;
    fail_interrupted_sc(uc);
  }

  // Makes the signal return resume `f`. Every GPR and the pc come from the frame (the
  // caller-saved slots of a voluntary frame hold dead values, a yield's whatever the stack held
  // there: harmless to load). A voluntary
  // frame carries only the callee-saved FP registers and fcsr: the caller-saved FP registers
  // are dead at the call that trapped and stay as they are.
  static void load(const Frame &f, ucontext_t &uc) {
    auto &g = uc.uc_mcontext.__gregs;
    g[REG_PC] = f.pc;
    for (unsigned n = 1; n < reg::count; ++n) g[n] = f.x[n];
    auto &fp = uc.uc_mcontext.__fpregs.__d;
    if (f.library.state & frame_state::asynchronous) {
      for (unsigned n = 0; n < freg::count; ++n) fp.__f[n] = f.f[n];
    } else {
      for (unsigned n = freg::fs0; n <= freg::fs1; ++n) fp.__f[n] = f.f[n];
      for (unsigned n = freg::fs2; n <= freg::fs11; ++n) fp.__f[n] = f.f[n];
    }
    fp.__fcsr = static_cast<unsigned int>(f.fcsr);
    fail_interrupted_sc(uc);
  }

  // LR/SC across a signal. Linux drops the load reservation on every return to user mode, so an
  // SC resumed after a trap fails and its LR/SC loop retries. qemu-user keeps the reservation
  // (address and the value LR loaded) across signal delivery and sigreturn instead, and lets
  // the handler's own LR replace it: a compare-exchange that failed in the handler (the signal
  // layer's take of the external line) leaves a reservation on the same word holding the
  // handler's value, and the interrupted SC then succeeds against a value its own LR never
  // saw (a lost update; seen as the same external interrupt dispatched twice). So an SC about
  // to be resumed by sigreturn does what it does under Linux on hardware: it fails (rd = 1,
  // pc past it). An SC may fail at any time; the loop around it reloads and retries.
  // Only the program's own code is looked at: it is readable (a pc elsewhere may not be, e.g.
  // after a jump to an unmapped page), and interrupts are only taken there. An SC in a shared
  // library is resumed as it is (it can only be interrupted by its own fault there).
  static void fail_interrupted_sc(ucontext_t &uc) {
    auto &g = uc.uc_mcontext.__gregs;
    if (!detail::hosted::in_program_text(g[REG_PC])) return;
    const InstructionBits insn = instruction_at(g[REG_PC]);
    if (insn.length != 4 || !is_store_conditional(insn.bits)) return;
    const unsigned rd = (insn.bits >> 7) & 0x1f;
    if (rd != reg::zero) g[rd] = 1;  // nonzero: the store did not happen
    g[REG_PC] += insn.length;
  }

  // The scause/stval bare metal would report for this signal (table at the top).
  static void set_exception_cause(Frame &f, int signo, const siginfo_t &info) {
    f.irq_id = 0;
    f.irq_id_valid = 0;
    if (info.si_code <= 0) {  // SI_USER, SI_TKILL, SI_QUEUE: sent by software, no fault
      f.cause = software_cause(signo);
      f.tval = f.cause == cause::hosted_unmapped_signal ? static_cast<std::uint64_t>(signo) : 0;
      return;
    }
    const auto address = reinterpret_cast<std::uintptr_t>(info.si_addr);
    switch (signo) {
      case SIGILL:
        f.cause = cause::illegal_instruction;
        f.tval = instruction_at(f.pc).bits;
        return;
      case SIGTRAP:  // ebreak or c.ebreak: the pc is at it already
        f.cause = cause::breakpoint;
        f.tval = f.pc;
        return;
      case SIGSEGV:
        f.cause = fetch_fault(f.pc, address) ? cause::instruction_page_fault
                  : writes_memory(f.pc)      ? cause::store_page_fault
                                             : cause::load_page_fault;
        f.tval = address;
        return;
      case SIGBUS: {
        const bool misaligned = info.si_code == BUS_ADRALN;
        if (fetch_fault(f.pc, address))
          f.cause = misaligned ? cause::instruction_misaligned : cause::instruction_access_fault;
        else if (writes_memory(f.pc))
          f.cause = misaligned ? cause::store_misaligned : cause::store_access_fault;
        else
          f.cause = misaligned ? cause::load_misaligned : cause::load_access_fault;
        f.tval = address;
        return;
      }
      default:
        f.cause = cause::hosted_unmapped_signal;
        f.tval = static_cast<std::uint64_t>(signo);
        return;
    }
  }

  static std::uint64_t software_cause(int signo) {
    switch (signo) {
      case SIGILL: return cause::illegal_instruction;
      case SIGTRAP: return cause::breakpoint;
      case SIGSEGV: return cause::load_page_fault;
      case SIGBUS: return cause::load_access_fault;
      default: return cause::hosted_unmapped_signal;
    }
  }

  // The fault is the fetch of the instruction at pc itself (its address lies within it): the
  // instruction cannot be read.
  static bool fetch_fault(std::uintptr_t pc, std::uintptr_t address) { return address >= pc && address - pc < 4; }
  static bool writes_memory(std::uintptr_t pc) {
    const InstructionBits insn = instruction_at(pc);
    return insn.length != 0 && is_store_or_amo(insn.bits, insn.length);
  }

  static void set_interrupt_cause(Frame &f, InterruptSource source, std::uint64_t payload) {
    const InterruptCause c = interrupt_cause(source, payload);
    f.cause = c.cause;
    f.tval = c.tval;
    f.irq_id_valid = c.irq_id_valid;
    f.irq_id = c.irq_id;
  }

  // Delivers a held-back interrupt now, as a trap of the calling thread (used by iset(true)).
  static void interrupt_trap(InterruptSource source, std::uint64_t payload) {
    const InterruptCause c = interrupt_cause(source, payload);
    cte_riscv64_interrupt_trap(c.cause, c.tval, c.irq_id_valid, c.irq_id);
  }
};

}  // namespace cte::riscv64
