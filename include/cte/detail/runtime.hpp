#pragma once
// The kernel-side state of cte and the dispatcher every trap entry calls.
// Requires the target aliases (include <cte/cte.hpp>, not this header).

#include <bit>
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

[[noreturn, gnu::cold]] inline Context *handler_before_init(Event event, Context *interrupted);

// One object, not separate variables: the trap path reaches every field from one address.
struct Runtime {
  // Until cte_init() installs one, a handler that reports the event as fatal (so the trap
  // path needs no check for a missing handler).
  Handler handler = handler_before_init;
  // Stack of the thread now running, as far as the library knows it ({0,0}: unknown).
  std::uintptr_t current_stack_start = 0;
  std::uintptr_t current_stack_end = 0;
  // The Context whose handler is running, to name both events if another trap nests in it
  // (its Event is decoded again for that report: the trap path keeps Events in registers).
  const Context *context_in_handler = nullptr;
  // Debug builds: true from dispatcher entry until it returns the frame to resume.
  bool dispatching = false;
};

// Checks of the library's own invariants: on unless NDEBUG (or CTE_DEBUG_CHECKS=0).
#if defined(CTE_DEBUG_CHECKS)
inline constexpr bool debug_checks = CTE_DEBUG_CHECKS != 0;
#elif defined(NDEBUG)
inline constexpr bool debug_checks = false;
#else
inline constexpr bool debug_checks = true;
#endif
inline Runtime runtime;

// Out of line and cold: the trap path keeps only the branch to it.
[[noreturn, gnu::cold, gnu::noinline]] inline void fatal(const char *headline, const Event *event = nullptr,
                                                         const Context *context = nullptr,
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

[[noreturn, gnu::cold, gnu::noinline]] inline void fatal_argument_index(unsigned index) {
  TextBuffer headline;  // zero-filled and far from full: its text is terminated
  headline.text("Context::arg/set_arg index ").dec(index).text(" out of range (the syscall convention has 0..");
  headline.dec(TargetIsa::syscall_arg_count - 1).text(")");
  fatal(headline.data());
}

// The library's own override of a decoded event: a frame marked stack_overflow.
inline void apply_library_state(Event &event, const TargetIsa::Frame &frame) {
  if (frame.library.state & frame_state::stack_overflow) [[unlikely]] {
    event.kind = EventKind::stack_overflow;
    event.msg = "stack overflow";
  }
}

// Decodes a frame, with the library's own override.
inline Event decode_frame(const TargetIsa::Frame &frame) {
  Event event = TargetIsa::decode(frame);
  apply_library_state(event, frame);
  return event;
}

// Calls the handler. The handler takes its Event by value: 32 bytes, passed in memory (a copy
// the caller makes). That argument is built from the four fields as whole words, never copied
// from an Event object: an object copy is a block copy through memory, padding included, while
// words go straight from where they were computed into the argument.
// Where 16-byte vector registers exist (TargetIsa::has_16_byte_vectors: x86_64 SSE2, aarch64
// Neon), GCC and clang build the argument by copying a temporary with two 16-byte loads. A load that spans several smaller
// stores made just before (the Event's fields, one by one) cannot be forwarded from the store
// buffer: it waits until those stores reach the cache (on x86_64 a large share of a yield,
// docs/PERFORMANCE.md). So there the words form two 16-byte halves, and
// the temporary is read back exactly as it was stored. Elsewhere (riscv64 without V): four word
// stores (event_from_words).
inline constexpr bool handler_event_in_halves = TargetIsa::has_16_byte_vectors;
inline constexpr bool event_is_four_words = sizeof(Event) == 4 * sizeof(std::uint64_t) && sizeof(Event::cause) == 8 &&
                                            offsetof(Event, cause) == 8 && offsetof(Event, ref) == 16 &&
                                            offsetof(Event, msg) == 24 && std::is_trivially_copyable_v<Event>;
// An Event whose bytes are exactly the four words (padding included): returned by value, it
// is built in place, in the handler's argument (see call_handler).
inline Event event_from_words(std::uint64_t kind, std::uint64_t cause, std::uint64_t ref, std::uint64_t msg) {
  Event event;
  auto *bytes = reinterpret_cast<unsigned char *>(&event);
  __builtin_memcpy(bytes, &kind, sizeof kind);
  __builtin_memcpy(bytes + offsetof(Event, cause), &cause, sizeof cause);
  __builtin_memcpy(bytes + offsetof(Event, ref), &ref, sizeof ref);
  __builtin_memcpy(bytes + offsetof(Event, msg), &msg, sizeof msg);
  return event;
}
// An Event that lives in memory, built before the trap (a constant such as a yield's, with
// `stored_event`), is the other case: passed as it is, it is copied into the argument straight
// from where it lies (two 16-byte loads and stores on x86_64), and no recent store delays that.
template <bool stored_event = false>
inline Context *call_handler(const Event &event, Context *interrupted) {
  if constexpr (stored_event) {
    return runtime.handler(event, interrupted);
  } else if constexpr (event_is_four_words) {
    const auto kind = static_cast<std::uint64_t>(event.kind);
    const auto cause = static_cast<std::uint64_t>(event.cause);
    const auto ref = static_cast<std::uint64_t>(event.ref);
    const auto msg = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(event.msg));
    if constexpr (handler_event_in_halves) {
      using Half = std::uint64_t __attribute__((vector_size(16)));
      const Half low = {kind, cause};
      const Half high = {ref, msg};
      Event argument;  // __builtin_memcpy: freestanding builds (the boards) would call memcpy
      __builtin_memcpy(static_cast<void *>(&argument), &low, sizeof low);
      __builtin_memcpy(reinterpret_cast<unsigned char *>(&argument) + sizeof low, &high, sizeof high);
      return runtime.handler(argument, interrupted);
    } else {
      return runtime.handler(event_from_words(kind, cause, ref, msg), interrupted);
    }
  } else {
    return runtime.handler(event, interrupted);
  }
}

// What every event runs into before cte_init(): a fatal report naming it.
[[noreturn, gnu::cold]] inline Context *handler_before_init(Event event, Context *interrupted) {
  fatal("event before cte_init() installed a handler", &event, interrupted);
}

// The fatal reports of run_handler, cold and out of line. They decode the interrupted frame
// again (the same Event: trap entry recorded the trap in the frame before it was decoded) or
// take the nested Event as its four fields, so that the trap path never needs its Event in
// memory (only the handler's argument is) nor alive across the handler call.
[[noreturn, gnu::cold, gnu::noinline]] inline void fatal_decoded(const char *headline, const Context *context) {
  const Event event = decode_frame(context->frame());
  fatal(headline, &event, context);
}
[[noreturn, gnu::cold, gnu::noinline]] inline void fatal_nested_trap(const Context *outer, EventKind kind,
                                                                     TargetIsa::Word cause, std::uintptr_t ref,
                                                                     const char *msg, const Context *context) {
  const Event outer_event = decode_frame(outer->frame());
  const Event nested{kind, cause, ref, msg};
  fatal("trap inside the cte handler", &outer_event, context, &nested);
}

// --- Parked Contexts (frame_state::parked_tag, the upper half of LibraryWords::state). The
// half is read and written on its own, as one aligned 32-bit access: no other bit of the
// state word is touched. (may_alias: it is part of a 64-bit object.)
static_assert(std::endian::native == std::endian::little, "the parked tag is the upper half of the state word");
static_assert(offsetof(LibraryWords, state) % 8 == 0);
using ParkedWord = std::uint32_t __attribute__((may_alias));
inline ParkedWord &parked_word(TargetIsa::Frame &frame) {
  return reinterpret_cast<ParkedWord *>(&frame.library.state)[frame_state::parked_tag_shift / 32];
}
inline const ParkedWord &parked_word(const TargetIsa::Frame &frame) {
  return reinterpret_cast<const ParkedWord *>(&frame.library.state)[frame_state::parked_tag_shift / 32];
}
inline void set_parked_word(TargetIsa::Frame &frame, std::uint32_t word) { parked_word(frame) = word; }
inline bool is_parked(const TargetIsa::Frame &frame) { return parked_word(frame) == frame_state::parked_tag; }
inline void mark_parked(TargetIsa::Frame &frame) { set_parked_word(frame, frame_state::parked_tag); }

[[noreturn, gnu::cold, gnu::noinline]] inline void fatal_not_parked(const Context *interrupted, const Context *next) {
  TextBuffer headline;
  headline.text(
      "handler returned a Context that is not parked (already resumed, on a freed stack, or not made by cte): ");
  headline.hex(reinterpret_cast<std::uintptr_t>(next));
  fatal_decoded(headline.data(), interrupted);
}

// How far below a thread's stack pointer its frame may lie: every placement (a red zone and
// restore window, an XSAVE extension above the frame, 64-byte alignment) is within this.
inline constexpr std::size_t frame_placement_slack = 1024;

// The parked frame a copy was made from: a Context a handler copied out of the interrupted
// one, before the dispatcher parked that, carries no tag, but its original does, and the
// original lies just below the stack pointer both record. nullptr if there is none.
inline TargetIsa::Frame *parked_original(const Context *copy) {
  constexpr std::uintptr_t frame_size = sizeof(TargetIsa::Frame), step = 16;
  const std::uintptr_t sp = copy->sp();
  if (sp < frame_size + frame_placement_slack + step) return nullptr;
  const std::uintptr_t highest = (sp - frame_size) & ~(step - 1);
  const std::uintptr_t lowest = highest - frame_placement_slack;
  if (!TargetPlatform::code_readable(lowest, highest + frame_size - lowest)) return nullptr;
  for (std::uintptr_t at = highest; at >= lowest; at -= step) {
    auto *frame = reinterpret_cast<TargetIsa::Frame *>(at);
    if (frame != &copy->frame() && is_parked(*frame) && TargetIsa::sp(*frame) == sp) return frame;
  }
  return nullptr;
}

// The handler returned a Context without the tag: a copy of the interrupted Context (its
// thread goes on from the copy: the interrupted frame is not parked), a copy of a parked one
// (its original is resumed: the original loses the tag), or a fatal report.
[[gnu::cold, gnu::noinline]] inline Context *resume_untagged(Context *interrupted, Context *next) {
  if (next->sp() == interrupted->sp()) return next;
  TargetIsa::Frame *const original = parked_original(next);
  if (!original) fatal_not_parked(interrupted, next);
  set_parked_word(*original, 0);
  mark_parked(interrupted->frame());
  return next;
}

// The handler left `interrupted` for `next`: next must be parked (the tag is the cheap proof
// that it is a live, unresumed Context made by cte, not a stale, freed or fabricated one) and
// loses the tag as it is resumed; interrupted becomes parked. Only on a switch: returning the
// interrupted Context itself needs neither.
// Returns next (from the cold call too: the trap path keeps it in one register).
[[gnu::always_inline]] inline Context *leave_for(Context *interrupted, Context *next) {
  if (!is_parked(next->frame())) [[unlikely]]
    return resume_untagged(interrupted, next);
  set_parked_word(next->frame(), 0);
  mark_parked(interrupted->frame());
  return next;
}

// Runs the handler for one event and checks its answer. (Inlined: it is on every trap's path.)
// An Event of kind stack_overflow is a frame whose library_state says so (decode_frame).
// On a switch, context_in_handler stays set until the answer is checked: reading a Context on
// an unmapped stack is then reported as a trap inside the handler.
template <bool stored_event = false>
[[gnu::always_inline]] inline Context *run_handler(const Event &event, Context *interrupted) {
  if (runtime.context_in_handler) [[unlikely]]
    fatal_nested_trap(runtime.context_in_handler, event.kind, event.cause, event.ref, event.msg, interrupted);
  runtime.context_in_handler = interrupted;
  Context *next = call_handler<stored_event>(event, interrupted);
  if (next == interrupted) runtime.context_in_handler = nullptr;
  TargetPlatform::after_handler(event);
  if (!next) [[unlikely]]
    fatal_decoded("handler returned nullptr (it must return the Context to resume)", interrupted);
  if (next == interrupted) {
    const TargetIsa::Frame &frame = interrupted->frame();
    if (TargetIsa::is_thread_exit(frame)) [[unlikely]]
      fatal_decoded("handler resumed a kcontext thread that returned from its entry function", interrupted);
    if (frame.library.state & frame_state::stack_overflow) [[unlikely]]
      fatal_decoded("handler resumed a thread whose stack overflowed", interrupted);
  } else {
    next = leave_for(interrupted, next);
    runtime.context_in_handler = nullptr;
  }
  return next;
}

// Runs the handler for the interrupt whose cause take_pending_interrupt just wrote into
// `next`'s frame, then for every further one held pending while the resumed Context has
// interrupts enabled. Out of line: it is rare, and inlined it would be a second copy of
// run_handler on the trap path, whose registers every trap would save and restore.
[[gnu::noinline]] inline Context *run_pending_interrupts(Context *next) {
  do {
    const Event pending = decode_frame(next->frame());
    next = run_handler(pending, next);
  } while (next->interrupts_enabled() && TargetPlatform::take_pending_interrupt(next->frame()));
  return next;
}

// Runs the handler for `event`, the decoded trap `frame` records, and returns the frame to
// resume. For a trap entry whose frame already records the trap as the handler must see it
// (what the platform's on_trap_entry does) and that decodes it itself, e.g. the riscv64 board's
// voluntary-trap stubs; every other entry calls dispatch_trap.
// `stored_event`: see call_handler.
template <bool stored_event = false>
[[gnu::always_inline]] inline TargetIsa::Frame *dispatch_decoded_trap(TargetIsa::Frame *frame, const Event &event) {
  if constexpr (debug_checks) runtime.dispatching = true;
  Context *const interrupted = Context::from_frame(frame);
  // A trapping frame always belongs to the running thread (trap entry leaves these unset).
  frame->library.stack_start = runtime.current_stack_start;
  frame->library.stack_end = runtime.current_stack_end;
  // No fake stack saved yet (the switch below saves one when this thread leaves): a copy of
  // this Context that a handler resumes must not hand AddressSanitizer a stale pointer.
  if constexpr (address_sanitizer_active) frame->library.sanitizer_fake_stack = nullptr;

  Context *next = run_handler<stored_event>(event, interrupted);
  // An interrupt held pending is taken the moment a Context runs with interrupts enabled,
  // as hardware takes it at the first instruction after the return from the trap.
  if (next->interrupts_enabled() && TargetPlatform::take_pending_interrupt(next->frame())) [[unlikely]]
    next = run_pending_interrupts(next);

  if (next != interrupted) {
    // The resumed thread runs on another stack from here on.
    TargetIsa::Frame &to = next->frame();
    sanitizer_begin_switch(&frame->library.sanitizer_fake_stack, to.library.sanitizer_fake_stack,
                           to.library.stack_start, to.library.stack_end);
    std::uintptr_t left_start = 0, left_end = 0;
    sanitizer_end_switch(to.library.sanitizer_fake_stack, &left_start, &left_end);
    if (address_sanitizer_active && frame->library.stack_start == 0) {
      frame->library.stack_start = left_start;
      frame->library.stack_end = left_end;
    }
    runtime.current_stack_start = to.library.stack_start;
    runtime.current_stack_end = to.library.stack_end;
  }
  TargetPlatform::before_resume(next->frame());
  if constexpr (debug_checks) runtime.dispatching = false;
  return &next->frame();
}

// Called by every other trap entry (assembly stubs, signal handlers) with the frame it saved;
// returns the frame to resume. Always inlined, like dispatch_decoded_trap: the thread switch
// then happens one function-level below the stubs on every path (sanitizer_new_trap_thread).
[[gnu::always_inline]] inline TargetIsa::Frame *dispatch_trap(TargetIsa::Frame *frame) {
  TargetPlatform::on_trap_entry(*frame);
  const Event event = decode_frame(*frame);
  return dispatch_decoded_trap(frame, event);
}

}  // namespace detail
}  // namespace cte
