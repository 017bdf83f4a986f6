#pragma once
// riscv64 event decoding: raw trap cause -> Event, per the privileged spec's mcause/scause
// codes. A pure function, so every host can test it.
//
// ecall (from U, S or M) is how a thread enters the kernel on purpose. The hart records tval 0
// for it: a system call (number in a7, any value). The library's own voluntary-trap stubs
// record the same cause with a voluntary_trap marker in tval instead (yield, thread exit), a
// word no thread can set (cte/voluntary_trap.hpp). Hosted and bare-metal stubs record the
// same, so a hosted kernel and a bare-metal one see identical events.

#include <cstdint>

#include <cte/event.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/isa.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::riscv64 {

// Everything the decoder looks at, independent of where it came from (trap vector or stub).
struct TrapCause {
  std::uint64_t cause = 0;  // mcause/scause, interrupt bit included
  std::uint64_t tval = 0;   // mtval/stval (interrupts: the payload, 0 from hardware; ecall: the marker)
  // External interrupts: the claimed source's identity (Frame::irq_id), if trap entry knows it.
  bool irq_id_valid = false;
  std::uint64_t irq_id = 0;
};

// An ecall: its tval (a voluntary_trap marker) tells what for. Sets kind and msg (cause and
// ref are the caller's: the raw cause, ref 0); the bare-metal voluntary-trap stubs' dispatcher
// (include/cte/board/voluntary_dispatch.hpp) gives the same Event.
constexpr void decode_ecall(BasicEvent<Isa> &event, std::uint64_t marker) { decode_voluntary_trap(event, marker); }

constexpr BasicEvent<Isa> decode(const TrapCause &trap) {
  BasicEvent<Isa> event;
  event.cause = trap.cause;
  if (trap.cause & cause::interrupt_bit) {
    event.ref = trap.tval;
    switch (trap.cause) {
      case cause::supervisor_software_interrupt:
        event.kind = EventKind::irq_software;
        event.msg = "supervisor software interrupt";
        break;
      case cause::machine_software_interrupt:
        event.kind = EventKind::irq_software;
        event.msg = "machine software interrupt";
        break;
      case cause::supervisor_timer_interrupt:
        event.kind = EventKind::irq_timer;
        event.msg = "supervisor timer interrupt";
        break;
      case cause::machine_timer_interrupt:
        event.kind = EventKind::irq_timer;
        event.msg = "machine timer interrupt";
        break;
      case cause::supervisor_external_interrupt:
      case cause::machine_external_interrupt:
        event.kind = EventKind::irq_external;
        event.msg = trap.cause == cause::supervisor_external_interrupt ? "supervisor external interrupt"
                                                                       : "machine external interrupt";
        // The interrupt's identity, as x86_64 and aarch64 report it: the claimed source (a
        // hosted raise's payload). Without one, the raw scause stays the cause.
        if (trap.irq_id_valid) {
          event.cause = trap.irq_id;
          event.ref = trap.irq_id;
        }
        break;
      default:
        event.kind = EventKind::error;
        event.msg = "unexpected interrupt cause";
        break;
    }
    return event;
  }
  switch (trap.cause) {
    case cause::instruction_misaligned:
      event.kind = EventKind::misaligned;
      event.ref = trap.tval;
      event.msg = "instruction address misaligned";
      break;
    case cause::instruction_access_fault:
      event.kind = EventKind::access_fault;
      event.ref = trap.tval;
      event.msg = "instruction access fault";
      break;
    case cause::illegal_instruction:
      event.kind = EventKind::illegal_instruction;
      event.ref = trap.tval;  // the instruction bits (when the hart reports them)
      event.msg = "illegal instruction";
      break;
    case cause::breakpoint:
      event.kind = EventKind::breakpoint;
      event.ref = trap.tval;
      event.msg = "breakpoint";
      break;
    case cause::load_misaligned:
      event.kind = EventKind::misaligned;
      event.ref = trap.tval;
      event.msg = "load address misaligned";
      break;
    case cause::load_access_fault:
      event.kind = EventKind::access_fault;
      event.ref = trap.tval;
      event.msg = "load access fault";
      break;
    case cause::store_misaligned:
      event.kind = EventKind::misaligned;
      event.ref = trap.tval;
      event.msg = "store/AMO address misaligned";
      break;
    case cause::store_access_fault:
      event.kind = EventKind::access_fault;
      event.ref = trap.tval;
      event.msg = "store/AMO access fault";
      break;
    case cause::ecall_from_u:
    case cause::ecall_from_s:
    case cause::ecall_from_m: decode_ecall(event, trap.tval); break;
    case cause::instruction_page_fault:
      event.kind = EventKind::page_fault;
      event.ref = trap.tval;
      event.msg = "instruction page fault";
      break;
    case cause::load_page_fault:
      event.kind = EventKind::page_fault;
      event.ref = trap.tval;
      event.msg = "load page fault";
      break;
    case cause::store_page_fault:
      event.kind = EventKind::page_fault;
      event.ref = trap.tval;
      event.msg = "store/AMO page fault";
      break;
    case cause::hosted_unmapped_signal:
      event.kind = EventKind::error;
      event.ref = trap.tval;  // the signal number
      event.msg = "signal with no riscv64 trap equivalent (hosted)";
      break;
    default:
      event.kind = EventKind::error;
      event.msg = "unexpected exception cause";
      break;
  }
  return event;
}

inline TrapCause trap_cause(const Frame &f) { return {f.cause, f.tval, f.irq_id_valid != 0, f.irq_id}; }
inline BasicEvent<Isa> Isa::decode(const Frame &f) { return riscv64::decode(trap_cause(f)); }

}  // namespace cte::riscv64
