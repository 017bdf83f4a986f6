#pragma once
// x86_64 event decoding: raw trap cause -> Event. A pure function, so every host can test it.

#include <cstdint>

#include <cte/event.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/isa.hpp>

namespace cte::x86_64 {

// Everything the decoder looks at, independent of where it came from (IDT entry or signal).
struct TrapCause {
  std::uint64_t vector = 0;
  std::uint64_t error_code = 0;
  std::uint64_t fault_address = 0;
  std::uint64_t payload = 0;
};

constexpr BasicEvent<Isa> decode(const TrapCause &trap) {
  BasicEvent<Isa> event;
  event.cause = trap.vector;
  switch (trap.vector) {
    case vector::divide_error:
      event.kind = EventKind::divide_by_zero;
      event.msg = "divide error (#DE)";
      break;
    case vector::debug:
      event.kind = EventKind::breakpoint;
      event.msg = "debug exception (#DB)";
      break;
    case vector::breakpoint:
      event.kind = EventKind::breakpoint;
      event.msg = "breakpoint (#BP)";
      break;
    case vector::invalid_opcode:
      event.kind = EventKind::illegal_instruction;
      event.msg = "invalid opcode (#UD)";
      break;
    case vector::device_not_available:
      event.kind = EventKind::floating_point;
      event.msg = "FPU not available (#NM)";
      break;
    case vector::x87_fp:
      event.kind = EventKind::floating_point;
      event.msg = "x87 floating-point exception (#MF)";
      break;
    case vector::simd_fp:
      event.kind = EventKind::floating_point;
      event.msg = "SIMD floating-point exception (#XM)";
      break;
    case vector::alignment_check:
      event.kind = EventKind::misaligned;
      event.ref = trap.fault_address;
      event.msg = "alignment check (#AC)";
      break;
    case vector::page_fault:
      event.kind = EventKind::page_fault;
      event.ref = trap.fault_address;
      event.msg = "page fault (#PF)";
      break;
    case vector::general_protection:
      event.kind = EventKind::access_fault;
      event.ref = trap.fault_address;
      event.msg = "general protection fault (#GP)";
      break;
    case vector::stack_segment:
      event.kind = EventKind::access_fault;
      event.ref = trap.fault_address;
      event.msg = "stack-segment fault (#SS)";
      break;
    case vector::segment_not_present:
    case vector::invalid_tss:
      event.kind = EventKind::access_fault;
      event.ref = trap.error_code;
      event.msg = "segment fault (#NP/#TS)";
      break;
    case vector::overflow:
    case vector::bound_range:
      event.kind = EventKind::error;
      event.msg = "overflow or bound-range exception (#OF/#BR)";
      break;
    case vector::nmi:
      event.kind = EventKind::error;
      event.msg = "non-maskable interrupt";
      break;
    case vector::double_fault:
      event.kind = EventKind::error;
      event.msg = "double fault (#DF)";
      break;
    case vector::machine_check:
      event.kind = EventKind::error;
      event.msg = "machine check (#MC)";
      break;
    case vector::timer:
      event.kind = EventKind::irq_timer;
      event.msg = "timer interrupt";
      break;
    case vector::syscall:
    case vector::yield:
    case vector::thread_exit: decode_voluntary_trap(event, trap.vector - vector::voluntary_base); break;
    case vector::software_interrupt:
      event.kind = EventKind::irq_software;
      event.ref = trap.payload;
      event.msg = "software interrupt";
      break;
    default:
      if (trap.vector > vector::timer && trap.vector < vector::syscall) {
        event.kind = EventKind::irq_external;
        event.cause = trap.payload;  // the interrupt's identity: the vector, or a hosted kick's payload
        event.ref = trap.payload;
        event.msg = "external interrupt";
      } else {
        event.kind = EventKind::error;
        event.msg = "unexpected trap vector";
      }
      break;
  }
  return event;
}

// What cte::yield() traps with, decoded once at compile time (the yield stub's dispatcher).
inline constexpr BasicEvent<Isa> yield_event = decode(TrapCause{.vector = vector::yield});

inline TrapCause trap_cause(const Frame &f) { return {f.vector, f.error_code, f.fault_address, f.payload}; }
inline BasicEvent<Isa> Isa::decode(const Frame &f) { return x86_64::decode(trap_cause(f)); }

}  // namespace cte::x86_64
