#pragma once
// cte::BasicEvent — what the handler is told about a trap, interrupt or yield.
// The ISA parameter fixes the width of `cause` (the raw, undecoded cause).

#include <cstdint>

namespace cte {

enum class EventKind : std::uint8_t {
  none,
  yield,
  syscall,
  irq_timer,
  irq_external,
  irq_software,
  page_fault,
  access_fault,
  misaligned,
  illegal_instruction,
  breakpoint,
  divide_by_zero,
  floating_point,
  stack_overflow,
  error,
};

constexpr const char *to_string(EventKind kind) {
  switch (kind) {
    case EventKind::none: return "none";
    case EventKind::yield: return "yield";
    case EventKind::syscall: return "syscall";
    case EventKind::irq_timer: return "irq_timer";
    case EventKind::irq_external: return "irq_external";
    case EventKind::irq_software: return "irq_software";
    case EventKind::page_fault: return "page_fault";
    case EventKind::access_fault: return "access_fault";
    case EventKind::misaligned: return "misaligned";
    case EventKind::illegal_instruction: return "illegal_instruction";
    case EventKind::breakpoint: return "breakpoint";
    case EventKind::divide_by_zero: return "divide_by_zero";
    case EventKind::floating_point: return "floating_point";
    case EventKind::stack_overflow: return "stack_overflow";
    case EventKind::error: return "error";
  }
  return "unknown";
}

// True for events raised asynchronously (the interrupted code did nothing to cause them).
constexpr bool is_interrupt(EventKind kind) {
  return kind == EventKind::irq_timer || kind == EventKind::irq_external || kind == EventKind::irq_software;
}

template <class Isa>
struct BasicEvent {
  EventKind kind = EventKind::none;
  typename Isa::Word cause = 0;  // raw cause: vector, mcause/scause, ESR_EL1, signal number, ...
  std::uintptr_t ref = 0;        // fault address, instruction bits or interrupt payload
  const char *msg = "";          // static text; never null
};

}  // namespace cte
