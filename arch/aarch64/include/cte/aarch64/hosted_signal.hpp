#pragma once
// aarch64 under Linux: a signal's ucontext <-> Frame, and signal -> the syndrome an EL1 kernel
// would have read from ESR_EL1/FAR_EL1 for the same fault of EL0 code.
//
// The ucontext holds the GPRs, SP, PC and PSTATE in uc_mcontext and the rest in a chain of
// records in uc_mcontext.__reserved (asm/sigcontext.h): FPSIMD (V0-V31, FPSR, FPCR) always,
// ESR when the kernel reports the syndrome of a fault, SVE when the CPU has SVE (QEMU's user
// mode always writes it; its Z registers then win over the FPSIMD record at sigreturn), and
// EXTRA pointing to more records past the 4 KiB area. Linux reports no syndrome for most
// signals (QEMU's user mode for none), so the cause is rebuilt from signal, si_code, si_addr
// and the instruction at the PC:
//
//   signal                       ESR.EC                       ISS / FAR
//   SIGILL                       0x00 unknown                 -
//   SIGTRAP, brk at pc           0x3c brk                     ISS = the brk immediate
//   SIGTRAP TRAP_HWBKPT          0x30 hardware breakpoint     FAR = si_addr
//   SIGTRAP TRAP_TRACE           0x32 software step           -
//   SIGSEGV, si_addr == pc       0x20 instruction abort       IFSC translation (SEGV_MAPERR) or
//                                                             permission (SEGV_ACCERR); FAR = si_addr
//   SIGSEGV                      0x24 data abort              DFSC translation / permission / tag
//                                                             check, WnR from the instruction, FAR
//   SIGBUS BUS_ADRALN            0x24 data abort              DFSC alignment, WnR, FAR = si_addr
//                                (0x22 if si_addr is the misaligned pc, 0x26 if it is the sp)
//   SIGBUS (other)               0x24 (0x20) abort            DFSC synchronous external abort, FAR
//   SIGFPE (trapped FP)          0x2c FP exception            TFV + the flag of si_code
//   sent by software (si_code <= 0): the same EC with no address (FnV set for aborts, FP
//   exception without TFV), since no instruction faulted.
//
// Interrupts (see set_interrupt_cause): the tick is IRQ 30 (the EL1 physical timer PPI, as on
// QEMU's virt board), a software interrupt an SGI (IDs 0-15), and the external line an FIQ whose
// interrupt ID is the raiser's payload. The decoder reports every FIQ as irq_external with
// cause = ref = its ID, so the payload arrives in Event::cause and Event::ref, as on x86_64,
// whatever its value (an IRQ ID would collide with the SGI and timer numbers for small
// payloads), and the Frame needs no extra field.

#include <signal.h>
#include <ucontext.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/guarded_touch.hpp>
#include <cte/aarch64/trap_entry.hpp>
#include <cte/context.hpp>
#include <cte/interrupt_source.hpp>
#include <cte/platform/hosted_external.hpp>

namespace cte::aarch64 {

// The records of a signal frame this layer reads or writes (nullptr: absent).
struct SignalRecords {
  fpsimd_context *fpsimd = nullptr;
  sve_context *sve = nullptr;  // only if it carries register data
  unsigned sve_quadwords = 0;  // VL / 16
  const esr_context *esr = nullptr;
};

// Walks the record chain of uc_mcontext.__reserved, following an EXTRA record once.
inline SignalRecords find_signal_records(mcontext_t &mc) {
  SignalRecords found;
  unsigned char *area = reinterpret_cast<unsigned char *>(mc.__reserved);
  std::size_t limit = sizeof(mc.__reserved);
  unsigned char *extra = nullptr;
  std::size_t extra_size = 0;
  std::size_t offset = 0;
  for (;;) {
    if (offset + sizeof(_aarch64_ctx) > limit) break;
    auto *head = reinterpret_cast<_aarch64_ctx *>(area + offset);
    if (head->magic == 0) {  // terminator: continue in the extra space, if any
      if (!extra) break;
      area = extra;
      limit = extra_size;
      offset = 0;
      extra = nullptr;
      continue;
    }
    if (head->size < sizeof(_aarch64_ctx) || head->size > limit - offset) break;  // malformed: stop
    switch (head->magic) {
      case FPSIMD_MAGIC:
        if (head->size >= sizeof(fpsimd_context)) found.fpsimd = reinterpret_cast<fpsimd_context *>(head);
        break;
      case SVE_MAGIC: {
        auto *sve = reinterpret_cast<sve_context *>(head);
        const unsigned quadwords = sve_vq_from_vl(sve->vl);
        // A header-only record (the thread has no live SVE state) leaves the V registers to
        // the FPSIMD record; streaming-mode state is not something this layer touches.
        if (quadwords > 0 && head->size >= SVE_SIG_CONTEXT_SIZE(quadwords) && !(sve->flags & SVE_SIG_FLAG_SM)) {
          found.sve = sve;
          found.sve_quadwords = quadwords;
        }
        break;
      }
      case ESR_MAGIC:
        if (head->size >= sizeof(esr_context)) found.esr = reinterpret_cast<const esr_context *>(head);
        break;
      case EXTRA_MAGIC:
        if (head->size >= sizeof(extra_context) && !extra && area == reinterpret_cast<unsigned char *>(mc.__reserved)) {
          const auto *record = reinterpret_cast<const extra_context *>(head);
          extra = reinterpret_cast<unsigned char *>(static_cast<std::uintptr_t>(record->datap));
          extra_size = record->size;
        }
        break;
      default: break;  // ZA, TPIDR2, ...: not part of a Context
    }
    offset += head->size;
  }
  return found;
}

// What a load/store instruction does to memory: true if it writes (ESR ISS.WnR). Atomic
// read-modify-write instructions count as writes, as the architecture reports them.
constexpr bool instruction_writes_memory(std::uint32_t insn) {
  const bool store_class = (insn & 0x0a000000u) == 0x08000000u;  // op0 = x1x0: loads and stores
  if (!store_class) return false;
  const bool load_bit = (insn >> 22) & 1u;
  if ((insn & 0x3f000000u) == 0x08000000u) return !load_bit;  // exclusive / ordered
  if ((insn & 0xbe000000u) == 0x0c000000u) return !load_bit;  // SIMD structures
  if ((insn & 0x3b000000u) == 0x18000000u) return false;      // load literal
  if ((insn & 0x38000000u) == 0x28000000u) return !load_bit;  // pairs
  if ((insn & 0x38000000u) == 0x38000000u) {                  // single register
    const bool simd = (insn >> 26) & 1u;
    const unsigned opc = (insn >> 22) & 3u;
    const bool atomic = !simd && (insn & 0x03200c00u) == 0x00200000u;  // LDADD, SWP, ... (and LDAPR)
    if (atomic) return true;
    return simd ? (opc & 1u) == 0 : opc == 0;
  }
  return false;
}

struct HostedSignals {
  // Nothing to do: the kernel (and QEMU) start a handler with a PSTATE fit for C++ code.
  static void enter_handler() {}

  // The interrupted PC, as the hosted layer uses it to decide whether an interrupt may be
  // taken there (only in the program's own code).
  static std::uintptr_t pc(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.pc); }
  static void set_pc(ucontext_t &uc, std::uintptr_t pc) { uc.uc_mcontext.pc = pc; }
  // The readability probe's touch (platform/hosted_read_probe.hpp).
  using GuardedTouch = aarch64::GuardedTouch;
  static std::uintptr_t sp(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.sp); }

  // Every register of the interrupted code; the frame is marked asynchronous. An ESR record,
  // if the kernel gave one, is kept for set_exception_cause.
  static void save(ucontext_t &uc, Frame &f) {
    mcontext_t &mc = uc.uc_mcontext;
    for (unsigned i = 0; i < 31; ++i) f.x[i] = mc.regs[i];
    f.sp = mc.sp;
    f.pc = mc.pc;
    f.pstate = mc.pstate;
    const SignalRecords records = find_signal_records(mc);
    f.esr = records.esr ? records.esr->esr : 0;
    f.far = 0;
    f.trap_kind = static_cast<std::uint64_t>(TrapKind::synchronous);
    f.interrupt_id = 0;
    f.library.sanitizer_fake_stack = nullptr;
    if (records.fpsimd) {
      f.fpsr = records.fpsimd->fpsr;
      f.fpcr = records.fpsimd->fpcr;
      static_assert(sizeof(records.fpsimd->vregs) == sizeof(f.q));
      std::memcpy(f.q, records.fpsimd->vregs, sizeof(f.q));
    } else {
      f.fpsr = 0;
      f.fpcr = 0;
      std::memset(f.q, 0, sizeof(f.q));
    }
    f.library.state = frame_state::asynchronous;
  }

  // Makes the signal return resume `f`. An asynchronous frame gets everything back; a
  // voluntary one (a call) what it holds: the GPRs, SP, PC, NZCV, FPCR/FPSR and q8-q15. The
  // caller-saved vector registers and the rest of PSTATE stay as they are. With SVE state in
  // the frame the low 128 bits of each Z register written are updated too (they are the V
  // registers, and QEMU restores Z over V).
  static void load(const Frame &f, ucontext_t &uc) {
    mcontext_t &mc = uc.uc_mcontext;
    for (unsigned i = 0; i < 31; ++i) mc.regs[i] = f.x[i];
    mc.sp = f.sp;
    mc.pc = f.pc;
    const bool asynchronous = (f.library.state & frame_state::asynchronous) != 0;
    mc.pstate = asynchronous ? f.pstate : (mc.pstate & ~nzcv_mask) | (f.pstate & nzcv_mask);
    const SignalRecords records = find_signal_records(mc);
    if (records.fpsimd) {
      records.fpsimd->fpsr = static_cast<std::uint32_t>(f.fpsr);
      records.fpsimd->fpcr = static_cast<std::uint32_t>(f.fpcr);
      const unsigned first = asynchronous ? 0 : 8, last = asynchronous ? 31 : 15;
      for (unsigned i = first; i <= last; ++i) {
        std::memcpy(&records.fpsimd->vregs[i], &f.q[i], sizeof(f.q[i]));
        if (records.sve)
          std::memcpy(reinterpret_cast<unsigned char *>(records.sve) + SVE_SIG_ZREG_OFFSET(records.sve_quadwords, i),
                      &f.q[i], sizeof(f.q[i]));
      }
    }
  }

  // The syndrome an EL1 kernel would have read for this fault of EL0 code (see the table at
  // the top). A breakpoint's pc already points at the brk.
  static void set_exception_cause(Frame &f, int signo, const siginfo_t &info) {
    const bool from_hardware = info.si_code > 0;  // SI_USER, SI_TKILL, SI_QUEUE: no instruction trapped
    const auto address = reinterpret_cast<std::uintptr_t>(info.si_addr);
    const std::uint64_t reported_esr = f.esr;  // the kernel's ESR record, when it gave one
    f.trap_kind = static_cast<std::uint64_t>(TrapKind::synchronous);
    f.interrupt_id = 0;
    f.esr = 0;
    f.far = 0;
    switch (signo) {
      case SIGILL: f.esr = esr::make(exception_class::unknown); break;
      case SIGTRAP: set_debug_cause(f, info, from_hardware, address); break;
      case SIGSEGV:
      case SIGBUS:
        if (!from_hardware) {
          f.esr = esr::make(exception_class::data_abort_lower,
                            abort_iss::far_not_valid | (signo == SIGSEGV ? fault_status::translation_level3
                                                                         : fault_status::synchronous_external));
          break;
        }
        set_abort_cause(f, signo, info.si_code, address);
        break;
      case SIGFPE:
        f.esr = esr::make(exception_class::fp_exception64, from_hardware ? fp_exception_iss(info.si_code) : 0);
        break;
      default: f.esr = esr::make(exception_class::unknown); break;
    }
    // A syndrome the kernel reported for this very fault is the real one (Linux gives it for
    // aborts); keep it, with the address from si_addr.
    if (from_hardware && reported_esr != 0 && syndrome_matches(signo, esr::exception_class(reported_esr)))
      f.esr = reported_esr;
  }

  // Where an interrupt of `source` comes from, as the GIC would number it (FIQ: see the top).
  static TrapKind interrupt_kind(InterruptSource source) {
    return source == InterruptSource::external ? TrapKind::fiq : TrapKind::irq;
  }
  static std::uint64_t interrupt_number(InterruptSource source, std::uint64_t payload) {
    switch (source) {
      case InterruptSource::timer: return interrupt_id::physical_timer;
      case InterruptSource::external: return payload;
      case InterruptSource::software: return payload <= interrupt_id::software_last ? payload : 0;  // an SGI
    }
    return 0;
  }

  static void set_interrupt_cause(Frame &f, InterruptSource source, std::uint64_t payload) {
    f.trap_kind = static_cast<std::uint64_t>(interrupt_kind(source));
    f.interrupt_id = interrupt_number(source, payload);
    f.esr = 0;  // an interrupt leaves no syndrome
    f.far = 0;
  }

  // Delivers a held-back interrupt now, as a trap of the calling thread (used by iset(true)).
  static void interrupt_trap(InterruptSource source, std::uint64_t payload) {
    cte_aarch64_interrupt_trap(static_cast<std::uint64_t>(interrupt_kind(source)), interrupt_number(source, payload));
  }

  static constexpr std::uint64_t nzcv_mask = 0xf0000000u;
  static constexpr std::uint32_t brk_mask = 0xffe0001fu, brk_opcode = 0xd4200000u;

 private:
  // The instruction at a pc that has just been fetched (0 if the pc is misaligned).
  static std::uint32_t instruction_at(std::uint64_t pc) {
    if (pc & 3) return 0;
    std::uint32_t insn;
    std::memcpy(&insn, reinterpret_cast<const void *>(pc), sizeof insn);
    return insn;
  }

  static void set_debug_cause(Frame &f, const siginfo_t &info, bool from_hardware, std::uintptr_t address) {
    if (from_hardware && info.si_code == TRAP_HWBKPT) {
      f.esr = esr::make(exception_class::breakpoint_lower);
      f.far = address;
      return;
    }
    if (from_hardware && info.si_code == TRAP_TRACE) {
      f.esr = esr::make(exception_class::software_step_lower);
      return;
    }
    const std::uint32_t insn = from_hardware ? instruction_at(f.pc) : 0;
    const std::uint64_t immediate = (insn & brk_mask) == brk_opcode ? (insn >> 5) & esr::imm16_mask : 0;
    f.esr = esr::make(exception_class::brk64, immediate);
  }

  static void set_abort_cause(Frame &f, int signo, int code, std::uintptr_t address) {
    f.far = address;
    if (signo == SIGBUS && code == BUS_ADRALN) {
      if (address == f.pc && (f.pc & 3)) {
        f.esr = esr::make(exception_class::pc_alignment);
        return;
      }
      if (address == f.sp && (f.sp & 15)) {
        f.esr = esr::make(exception_class::sp_alignment);
        f.far = 0;
        return;
      }
    }
    std::uint64_t status;
    if (signo == SIGSEGV)
      status = code == SEGV_ACCERR    ? fault_status::permission_level3
               : code == SEGV_MTESERR ? fault_status::tag_check
                                      : fault_status::translation_level3;
    else
      status = code == BUS_ADRALN ? fault_status::alignment : fault_status::synchronous_external;
    if (address == f.pc) {  // the fetch itself faulted: an instruction abort (no WnR)
      f.esr = esr::make(exception_class::instruction_abort_lower, status);
      return;
    }
    const bool write = instruction_writes_memory(instruction_at(f.pc));
    f.esr = esr::make(exception_class::data_abort_lower, status | (write ? abort_iss::write_not_read : 0));
  }

  static std::uint64_t fp_exception_iss(int code) {
    switch (code) {
      case FPE_INTDIV:
      case FPE_FLTDIV: return fp_iss::trapped_fault_valid | fp_iss::divide_by_zero;
      case FPE_FLTOVF: return fp_iss::trapped_fault_valid | fp_iss::overflow;
      case FPE_FLTUND: return fp_iss::trapped_fault_valid | fp_iss::underflow;
      case FPE_FLTRES: return fp_iss::trapped_fault_valid | fp_iss::inexact;
      case FPE_FLTINV:
      case FPE_FLTSUB: return fp_iss::trapped_fault_valid | fp_iss::invalid_operation;
      default: return 0;  // FPE_FLTUNK: which exception is not known
    }
  }

  static bool syndrome_matches(int signo, std::uint64_t ec) {
    switch (signo) {
      case SIGSEGV:
      case SIGBUS:
        return ec == exception_class::data_abort_lower || ec == exception_class::instruction_abort_lower ||
               ec == exception_class::pc_alignment || ec == exception_class::sp_alignment;
      case SIGTRAP:
        return ec == exception_class::brk64 ||
               (ec >= exception_class::breakpoint_lower && ec <= exception_class::watchpoint_same);
      case SIGFPE: return ec == exception_class::fp_exception64;
      default: return false;  // SIGILL: EC 0x00 is what set_exception_cause reports anyway
    }
  }
};

}  // namespace cte::aarch64
