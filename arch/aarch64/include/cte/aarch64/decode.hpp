#pragma once
// aarch64 event decoding: raw trap cause -> Event. A pure function, so every host can test it.
//
// Synchronous exceptions decode from ESR_EL1.EC (Event.cause = the raw ESR value):
//   0x15 svc      the immediate (ISS[15:0]) is a voluntary_trap marker: svc #1 yield, svc #2
//                 a kcontext entry returned (error), anything else a syscall (number in x8,
//                 any value). ref = the svc immediate.
//   0x3c brk      breakpoint, ref = the brk immediate. Hardware breakpoints, watchpoints
//                 (ref = FAR) and software step are breakpoints too, like x86's #DB.
//   0x00 unknown, 0x0e illegal execution state, 0x18 trapped system register access,
//   0x0d BTI and 0x1c pointer-authentication failures: illegal_instruction.
//   0x20/0x21 instruction abort, 0x24/0x25 data abort: by the fault status code (DFSC/IFSC),
//                 ref = FAR (0 when ISS.FnV says FAR is not valid):
//       translation, access-flag and permission faults  -> page_fault
//       alignment fault (0x21)                           -> misaligned
//       everything else (external aborts, parity/ECC, address size, TLB conflict, ...)
//                                                        -> access_fault
//     Why permission and access-flag faults are page faults: they are the MMU refusing an
//     access because of what the page tables say, which a kernel resolves in its VM code
//     (copy-on-write, accessed-bit tracking, protection errors). x86_64 #PF and riscv64
//     load/store/instruction page faults report exactly this set, so one kernel source sees
//     the same EventKind on every ISA; access_fault stays for faults the page tables cannot
//     fix, as #GP and riscv64 access faults are.
//   0x22 PC alignment (ref = FAR, the bad PC), 0x26 SP alignment: misaligned.
//   0x07 FP/SIMD access trap, 0x19 SVE access trap: floating_point.
//   0x2c trapped FP exception: divide_by_zero if ISS.TFV and DZF are set, else floating_point.
//   anything else (hvc/smc from EL1, wfi/wfe traps, unallocated classes): error.
// IRQ and FIQ: Event.cause = ref = the interrupt ID the board read from its controller; the
// architected timer PPIs (EL1: 30 physical, 27 virtual; EL2: 26 physical) are irq_timer, SGIs (0-15)
// irq_software, everything else irq_external. FIQs are always irq_external, whatever their ID:
// the hosted external line arrives as an FIQ whose ID is the raiser's payload, so that payload
// is Event.cause and Event.ref (as on x86_64) without colliding with the SGI or timer IDs.
// SError: error (cause = ESR).

#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/isa.hpp>
#include <cte/event.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::aarch64 {

// Everything the decoder looks at, independent of where it came from (vector table or signal).
struct TrapCause {
  std::uint64_t esr = 0;
  std::uint64_t far = 0;
  TrapKind kind = TrapKind::synchronous;
  std::uint64_t interrupt_id = 0;  // IRQ/FIQ only
};

namespace detail {

struct FaultClass {
  EventKind kind;
  const char *data_msg;         // for a data abort
  const char *instruction_msg;  // for an instruction abort
};

// Fault status code (DFSC/IFSC, ISS[5:0]) of an instruction or data abort.
constexpr FaultClass classify_fault_status(std::uint64_t status) {
  if ((status >= 0x04 && status <= 0x07) || status == 0x2a || status == 0x2b)
    return {EventKind::page_fault, "data abort: translation fault", "instruction abort: translation fault"};
  if (status >= 0x08 && status <= 0x0b)
    return {EventKind::page_fault, "data abort: access flag fault", "instruction abort: access flag fault"};
  if (status >= 0x0c && status <= 0x0f)
    return {EventKind::page_fault, "data abort: permission fault", "instruction abort: permission fault"};
  if (status == 0x21)
    return {EventKind::misaligned, "data abort: alignment fault", "instruction abort: alignment fault"};
  if (status <= 0x03 || status == 0x29 || status == 0x2c)
    return {EventKind::access_fault, "data abort: address size fault", "instruction abort: address size fault"};
  if (status == 0x10)
    return {EventKind::access_fault, "data abort: synchronous external abort",
            "instruction abort: synchronous external abort"};
  if (status == 0x11)
    return {EventKind::access_fault, "data abort: tag check fault", "instruction abort: tag check fault"};
  if (status >= 0x12 && status <= 0x17)
    return {EventKind::access_fault, "data abort: external abort on translation table walk",
            "instruction abort: external abort on translation table walk"};
  if (status == 0x18 || (status >= 0x1b && status <= 0x1f))
    return {EventKind::access_fault, "data abort: parity or ECC error", "instruction abort: parity or ECC error"};
  if (status == 0x30) return {EventKind::access_fault, "data abort: TLB conflict", "instruction abort: TLB conflict"};
  return {EventKind::access_fault, "data abort", "instruction abort"};
}

}  // namespace detail

constexpr BasicEvent<Isa> decode(const TrapCause &trap) {
  BasicEvent<Isa> event;
  event.cause = trap.esr;
  switch (trap.kind) {
    case TrapKind::synchronous: break;
    case TrapKind::irq:
    case TrapKind::fiq:
      event.cause = trap.interrupt_id;
      event.ref = trap.interrupt_id;
      if (trap.kind == TrapKind::fiq) {
        event.kind = EventKind::irq_external;
        event.msg = "FIQ";
      } else if (trap.interrupt_id == interrupt_id::physical_timer ||
                 trap.interrupt_id == interrupt_id::virtual_timer ||
                 trap.interrupt_id == interrupt_id::hypervisor_physical_timer) {
        event.kind = EventKind::irq_timer;
        event.msg = "timer interrupt";
      } else if (trap.interrupt_id <= interrupt_id::software_last) {
        event.kind = EventKind::irq_software;
        event.msg = "software-generated interrupt";
      } else {
        event.kind = EventKind::irq_external;
        event.msg = "external interrupt";
      }
      return event;
    case TrapKind::serror:
      event.kind = EventKind::error;
      event.msg = "SError (asynchronous external abort)";
      return event;
    default:
      event.kind = EventKind::error;
      event.msg = "unexpected trap kind";
      return event;
  }

  const std::uint64_t iss = esr::iss(trap.esr);
  switch (esr::exception_class(trap.esr)) {
    case exception_class::svc64:
      event.ref = iss & esr::imm16_mask;
      decode_voluntary_trap(event, event.ref);
      break;
    case exception_class::brk64:
      event.kind = EventKind::breakpoint;
      event.ref = iss & esr::imm16_mask;
      event.msg = "breakpoint (brk)";
      break;
    case exception_class::breakpoint_lower:
    case exception_class::breakpoint_same:
      event.kind = EventKind::breakpoint;
      event.ref = trap.far;
      event.msg = "hardware breakpoint";
      break;
    case exception_class::watchpoint_lower:
    case exception_class::watchpoint_same:
      event.kind = EventKind::breakpoint;
      event.ref = trap.far;
      event.msg = "watchpoint";
      break;
    case exception_class::software_step_lower:
    case exception_class::software_step_same:
      event.kind = EventKind::breakpoint;
      event.msg = "software step";
      break;
    case exception_class::unknown:
      event.kind = EventKind::illegal_instruction;
      event.msg = "undefined instruction";
      break;
    case exception_class::illegal_state:
      event.kind = EventKind::illegal_instruction;
      event.msg = "illegal execution state";
      break;
    case exception_class::system_register:
      event.kind = EventKind::illegal_instruction;
      event.msg = "trapped system register access";
      break;
    case exception_class::branch_target:
      event.kind = EventKind::illegal_instruction;
      event.msg = "branch target identification fault";
      break;
    case exception_class::pointer_authentication:
      event.kind = EventKind::illegal_instruction;
      event.msg = "pointer authentication failure";
      break;
    case exception_class::instruction_abort_lower:
    case exception_class::instruction_abort_same:
    case exception_class::data_abort_lower:
    case exception_class::data_abort_same: {
      const bool instruction = esr::exception_class(trap.esr) <= exception_class::instruction_abort_same;
      const detail::FaultClass fault = detail::classify_fault_status(iss & abort_iss::status_mask);
      event.kind = fault.kind;
      event.ref = (iss & abort_iss::far_not_valid) ? 0 : trap.far;
      event.msg = instruction ? fault.instruction_msg : fault.data_msg;
      break;
    }
    case exception_class::pc_alignment:
      event.kind = EventKind::misaligned;
      event.ref = trap.far;
      event.msg = "PC alignment fault";
      break;
    case exception_class::sp_alignment:
      event.kind = EventKind::misaligned;
      event.msg = "SP alignment fault";
      break;
    case exception_class::fp_access:
      event.kind = EventKind::floating_point;
      event.msg = "FP/SIMD access trap";
      break;
    case exception_class::sve_access:
      event.kind = EventKind::floating_point;
      event.msg = "SVE access trap";
      break;
    case exception_class::fp_exception64:
      if ((iss & fp_iss::trapped_fault_valid) && (iss & fp_iss::divide_by_zero)) {
        event.kind = EventKind::divide_by_zero;
        event.msg = "floating-point divide by zero";
      } else {
        event.kind = EventKind::floating_point;
        event.msg = "floating-point exception";
      }
      break;
    case exception_class::serror:
      event.kind = EventKind::error;
      event.msg = "SError (asynchronous external abort)";
      break;
    default:
      event.kind = EventKind::error;
      event.msg = "unexpected exception class";
      break;
  }
  return event;
}

inline TrapCause trap_cause(const Frame &f) {
  return {f.esr, f.far, static_cast<TrapKind>(f.trap_kind), f.interrupt_id};
}
inline BasicEvent<Isa> Isa::decode(const Frame &f) { return aarch64::decode(trap_cause(f)); }

}  // namespace cte::aarch64
