#pragma once
// The kernel-side state of cte and the dispatcher every trap entry calls.
// Requires the target aliases (include <cte/cte.hpp>, not this header).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <cte/context.hpp>
#include <cte/detail/format.hpp>
#include <cte/detail/sanitizer.hpp>
#include <cte/event.hpp>
#include <cte/target.hpp>

namespace cte {

using Handler = Context *(*)(Event, Context *);

namespace detail {

static_assert(std::is_standard_layout_v<Context>, "a Context must be its frame, byte for byte");
static_assert(sizeof(Context) == sizeof(TargetIsa::Frame));

struct Runtime {
  static inline Handler handler = nullptr;
  // Stack of the thread now running, as far as the library knows it ({0,0}: unknown).
  static inline std::uintptr_t current_stack_start = 0;
  static inline std::uintptr_t current_stack_end = 0;
  // The event whose handler is running, to name both events if another trap nests in it.
  static inline const Event *event_in_handler = nullptr;
};

[[noreturn]] inline void fatal(const char *headline, const Event *event = nullptr, const Context *context = nullptr,
                               const Event *second_event = nullptr) {
  TextBuffer report;
  report.text("cte: fatal: ").text(headline).text("\n");
  const auto describe = [&report](const char *label, const Event *e) {
    report.text("  ").text(label).text(": ").text(to_string(e->kind)).text(" (").text(e->msg).text(")");
    report.text(" cause=").hex(e->cause).text(" ref=").hex(e->ref).text("\n");
  };
  if (event) describe("event", event);
  if (second_event) describe("nested event", second_event);
  if (context) {
    report.text("  context ").hex(reinterpret_cast<std::uintptr_t>(context)).text(": pc=").hex(context->pc());
    report.text(" sp=").hex(context->sp()).text(" isa=").text(TargetIsa::name).text(" platform=");
    report.text(TargetPlatform::name).text("\n");
  }
  TargetPlatform::report_write(report.data(), report.size());
  TargetPlatform::terminate_failure();
}

// Decodes a frame, with the library's own override: a frame marked stack_overflow.
inline Event decode_frame(const TargetIsa::Frame &frame) {
  Event event = TargetIsa::decode(frame);
  if (frame.library_state & frame_state::stack_overflow) {
    event.kind = EventKind::stack_overflow;
    event.msg = "stack overflow";
  }
  return event;
}

// Calls the handler. The handler takes its Event by value: 32 bytes, passed in memory, and
// GCC and clang build that argument by copying a temporary with two 16-byte loads. A load that
// spans several smaller stores made just before (the Event's fields, one by one) cannot be
// forwarded from the store buffer: it waits until those stores reach the cache. On x86_64 that
// stall was a quarter of a yield (about 4 of 15 ns, docs/PERFORMANCE.md). Built from two
// 16-byte halves, the temporary is read back exactly as it was stored. (On an ISA without
// 16-byte vectors the halves become plain word stores, which is as good as a field copy.)
inline Context *call_handler(const Event &event, Context *interrupted) {
  using Half = std::uint64_t __attribute__((vector_size(16)));
  if constexpr (sizeof(Event) == 2 * sizeof(Half) && sizeof(event.cause) == 8 && offsetof(Event, cause) == 8 &&
                offsetof(Event, ref) == 16 && offsetof(Event, msg) == 24 && std::is_trivially_copyable_v<Event>) {
    const Half low = {static_cast<std::uint64_t>(event.kind), static_cast<std::uint64_t>(event.cause)};
    const Half high = {static_cast<std::uint64_t>(event.ref), reinterpret_cast<std::uintptr_t>(event.msg)};
    Event argument;
    std::memcpy(static_cast<void *>(&argument), &low, sizeof low);
    std::memcpy(reinterpret_cast<unsigned char *>(&argument) + sizeof low, &high, sizeof high);
    return Runtime::handler(argument, interrupted);
  } else {
    return Runtime::handler(event, interrupted);
  }
}

// Runs the handler for one event and checks its answer.
inline Context *run_handler(const Event &event, Context *interrupted) {
  if (Runtime::event_in_handler) fatal("trap inside the cte handler", Runtime::event_in_handler, interrupted, &event);
  if (!Runtime::handler) fatal("event before cte_init() installed a handler", &event, interrupted);
  Runtime::event_in_handler = &event;
  Context *const next = call_handler(event, interrupted);
  Runtime::event_in_handler = nullptr;
  TargetPlatform::after_handler(event);
  if (!next) fatal("handler returned nullptr (it must return the Context to resume)", &event, interrupted);
  if (next == interrupted && TargetIsa::is_thread_exit(interrupted->frame()))
    fatal("handler resumed a kcontext thread that returned from its entry function", &event, interrupted);
  if (next == interrupted && event.kind == EventKind::stack_overflow)
    fatal("handler resumed a thread whose stack overflowed", &event, interrupted);
  return next;
}

// Called by every trap entry (assembly stubs, signal handlers) with the frame it saved;
// returns the frame to resume.
inline TargetIsa::Frame *dispatch_trap(TargetIsa::Frame *frame) {
  Context *const interrupted = Context::from_frame(frame);
  TargetPlatform::on_trap_entry(*frame);
  // A trapping frame always belongs to the running thread (trap entry leaves these unset).
  frame->stack_start = Runtime::current_stack_start;
  frame->stack_end = Runtime::current_stack_end;

  const Event event = decode_frame(*frame);
  Context *next = run_handler(event, interrupted);
  // An interrupt held pending is taken the moment a Context runs with interrupts enabled,
  // as hardware takes it at the first instruction after the return from the trap.
  while (next->interrupts_enabled() && TargetPlatform::take_pending_interrupt(next->frame())) {
    const Event pending = decode_frame(next->frame());
    next = run_handler(pending, next);
  }

  if (next != interrupted) {
    // The resumed thread runs on another stack from here on.
    TargetIsa::Frame &to = next->frame();
    sanitizer_begin_switch(&frame->sanitizer_fake_stack, to.stack_start, to.stack_end);
    std::uintptr_t left_start = 0, left_end = 0;
    sanitizer_end_switch(to.sanitizer_fake_stack, &left_start, &left_end);
    if (address_sanitizer_active && frame->stack_start == 0) {
      frame->stack_start = left_start;
      frame->stack_end = left_end;
    }
    Runtime::current_stack_start = to.stack_start;
    Runtime::current_stack_end = to.stack_end;
  }
  TargetPlatform::on_trap_exit(next->frame());
  return &next->frame();
}

}  // namespace detail
}  // namespace cte
