#pragma once
// The fast cooperative switch: thread to thread without the handler, keeping only what the
// ABI makes callee-saved. For firmware threads and latency-critical code. It does not touch
// the interrupt-enable state and saves no Context: a FastContext is not a cte::Context.
// The FP controls (rounding mode, exception masks) are shared between fast-switch threads
// unless the call asks for FpControls::per_thread (cte/fp_controls.hpp).

#include <cstdint>
#include <type_traits>

#include <cte/area.hpp>
#include <cte/detail/fresh_thread.hpp>
#include <cte/detail/opaque_function.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/detail/sanitizer.hpp>
#include <cte/detail/valgrind.hpp>
#include <cte/fp_controls.hpp>
#include <cte/stack_check.hpp>
#include <cte/target_port.hpp>

namespace cte {

namespace detail {
// What the sanitizers' fiber protocol needs of a fast-switch thread (detail/sanitizer.hpp).
struct FastSanitizerWords {
  std::uintptr_t stack_start = 0;  // stack bounds, for AddressSanitizer (0: learnt at first switch)
  std::uintptr_t stack_end = 0;
  void *fake_stack = nullptr;  // the sanitizer's word for this thread
};
struct NoFastSanitizerWords {};
}  // namespace detail

// A fast-switch thread. Outside sanitizer builds it is its State alone (one cache line on
// x86_64): a scheduler that walks many of them reads nothing else.
struct FastContext {
  TargetPort::FastSwitch::State state;  // how the thread is parked (state.sp null: not yet)
  [[no_unique_address]] std::conditional_t<detail::sanitizer_tracks_stacks, detail::FastSanitizerWords,
                                           detail::NoFastSanitizerWords>
      sanitizer;
};

// Smallest stack make_fast_context() accepts on this target.
inline constexpr std::size_t fast_context_min_stack = 1024 + detail::fresh_thread_footprint;

namespace detail {
// The context that switched away last; lets the receiver record the sender's stack bounds.
inline FastContext *fast_switch_origin = nullptr;

// The sanitizers' fiber protocol around a switch (nothing in other builds). Templates, so that
// other builds, whose FastContext has no sanitizer words, never instantiate the bodies.
template <class Fast>
inline void fast_switch_begin(Fast &from, const Fast &to) {
  if constexpr (sanitizer_tracks_stacks) {
    sanitizer_begin_switch(&from.sanitizer.fake_stack, to.sanitizer.fake_stack, to.sanitizer.stack_start,
                           to.sanitizer.stack_end);
    fast_switch_origin = &from;
  }
}
// (origin: the thread that switched here; null for a fresh thread's first switch)
template <class Fast>
inline void fast_switch_end(Fast *from, Fast *origin) {
  if constexpr (address_sanitizer_active)
    sanitizer_end_switch(from ? from->sanitizer.fake_stack : nullptr, &origin->sanitizer.stack_start,
                         &origin->sanitizer.stack_end);
}
// A fresh thread's sanitizer words.
template <class Fast>
inline void fast_thread_made(Fast &context, Area stack) {
  if constexpr (sanitizer_tracks_stacks) {
    context.sanitizer.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
    context.sanitizer.stack_end = reinterpret_cast<std::uintptr_t>(stack.end);
    context.sanitizer.fake_stack = sanitizer_new_fast_thread();
  }
}
}  // namespace detail

// Prepares `context` to run entry(arg) on `stack` when first switched to.
// Returns false (context unchanged) on a bad stack (see check_stack / fast_context_min_stack).
// If entry returns, the program stops with a fatal report.
inline bool make_fast_context(FastContext &context, Area stack, void (*entry)(void *), void *arg) {
  if (!entry || check_stack(stack, fast_context_min_stack) != StackError::ok) return false;
  detail::sanitizer_forget_stack(stack.start, area_size(stack));
  detail::valgrind_register_stack(stack.start, stack.end);
  detail::fast_thread_made(context, stack);
  detail::park_fresh_thread(context.state, TargetPort::FastSwitch::fresh_thread_trampoline,
                            reinterpret_cast<std::uintptr_t>(stack.end), entry, arg);
  return true;
}

// Parks the running thread in `from` and resumes `to`. Returns when someone switches to `from`.
// fast_switch(a, a) returns at once. Switching to a FastContext that make_fast_context never
// prepared is a fatal report.
// `controls` says whether this thread gets its own FP controls back when it returns
// (FpControls::per_thread) or finds whatever the threads that ran meanwhile left (shared).
// It is a property of each call, so a thread that changes its rounding mode can ask for it
// at its own switches while the others keep the cheaper default.
//
// fast_switch is inline code: the compiler saves only the registers live across it, and each
// place that switches gets its own jump, so it is the cheapest switch where threads switch
// in their own loops. A function that switches and returns to its caller (a scheduler called
// from several places) should end with fast_switch_call instead (docs/PERFORMANCE.md).
template <FpControls controls = FpControls::shared>
inline void fast_switch(FastContext &from, FastContext &to) {
  if (&from == &to) return;  // (the ports may rely on it: cte/port_contract.hpp)
  detail::fast_switch_begin(from, to);
  const std::uint64_t never = TargetPort::FastSwitch::template switch_threads<controls>(from.state, to.state);
  // The switch runs other threads, which may read and write any variable of the program. In
  // the function that contains it, the asm's "memory" clobber makes the compiler assume so. But
  // GCC's ipa-reference, which summarises what each function reads and writes for its callers,
  // does not count an asm "memory" clobber as an access to file-static variables whose address
  // is never taken: a caller of a function that switches would keep such a static in a
  // register across the call (tests/fast_switch_statics.cpp). A call to a function it cannot
  // analyse makes the summary say "may read and write every static". The call only has to
  // exist, not to run: the ports' switch is an `asm volatile goto` whose label (never jumped
  // to) returns 1, and every resume falls through and returns 0, so the compiler keeps the
  // call on a path of its own and the resumed thread runs no instruction for it. (Without
  // `volatile`, GCC 12 deletes an asm goto whose outputs are unused: the whole switch.)
  if (never != 0) [[unlikely]]
    cte_opaque_function();
  detail::fast_switch_end(&from, detail::fast_switch_origin);
}

// The same switch as a call to the port's assembly function, which stores every callee-saved
// register: at the end of a function the compiler makes it a jump, and the resumed thread
// goes back to its own caller through the switch's indirect jump instead of a `ret` that the
// return-address predictor, still holding the switcher's caller, would miss. For scheduler
// functions: `void schedule() { ...; cte::fast_switch_call(current, next); }`. Threads
// parked by either form may be resumed by either.
template <FpControls controls = FpControls::shared>
inline void fast_switch_call(FastContext &from, FastContext &to) {
  if (&from == &to) return;
  detail::fast_switch_begin(from, to);
  constexpr auto switch_call = controls == FpControls::per_thread ? TargetPort::FastSwitch::call_per_thread
                                                                  : TargetPort::FastSwitch::call_shared;
  switch_call(&from.state, &to.state);
  detail::fast_switch_end(&from, detail::fast_switch_origin);
}

// A hint that `context` runs soon: starts loading what switching to it reads (its state) and
// what it touches first (the top of its stack), so a scheduler that knows the thread after
// next can hide those cache misses behind the current thread's work. No effect on behaviour.
inline void fast_prefetch(const FastContext &context) {
  __builtin_prefetch(&context.state);
  __builtin_prefetch(context.state.sp, 1);
}

}  // namespace cte

// The port's switch resumed a FastContext that make_fast_context never prepared.
extern "C" [[noreturn, gnu::used]] inline void cte_fast_switch_unprepared() {
  cte::detail::fatal("fast_switch to a FastContext that make_fast_context never prepared");
}

// First C++ code of a fresh fast-switch thread (called by the port's trampoline).
extern "C" [[noreturn, gnu::used]] inline void cte_fast_thread_main(void (*entry)(void *), void *arg) {
  cte::detail::fast_switch_end<cte::FastContext>(nullptr, cte::detail::fast_switch_origin);
  entry(arg);
  cte::detail::fatal("a fast-switch thread returned from its entry function (switch away instead)");
}
