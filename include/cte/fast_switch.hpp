#pragma once
// The fast cooperative switch: thread to thread without the handler, keeping only what the
// ABI makes callee-saved. For firmware threads and latency-critical code. It does not touch
// the interrupt-enable state and saves no Context: a FastContext is not a cte::Context.
// The FP controls (rounding mode, exception masks) are shared between fast-switch threads
// unless the call asks for FpControls::per_thread (cte/fp_controls.hpp).

#include <cstdint>

#include <cte/area.hpp>
#include <cte/detail/opaque_function.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/detail/sanitizer.hpp>
#include <cte/detail/valgrind.hpp>
#include <cte/fp_controls.hpp>
#include <cte/stack_check.hpp>
#include <cte/target_port.hpp>

namespace cte {

struct FastContext {
  TargetPort::FastSwitch::State state;  // how the thread is parked (state.sp null: not yet)
  std::uintptr_t stack_start = 0;       // stack bounds, for AddressSanitizer (0: learnt at first switch)
  std::uintptr_t stack_end = 0;
  void *sanitizer_fake_stack = nullptr;  // the sanitizer's word for this thread (detail/sanitizer.hpp)
};

// Smallest stack make_fast_context() accepts on this target.
inline constexpr std::size_t fast_context_min_stack = 1024 + TargetPort::FastSwitch::fresh_thread_footprint;

namespace detail {
// The context that switched away last; lets the receiver record the sender's stack bounds.
inline FastContext *fast_switch_origin = nullptr;
}  // namespace detail

// Prepares `context` to run entry(arg) on `stack` when first switched to.
// Returns false (context unchanged) on a bad stack (see check_stack / fast_context_min_stack).
// If entry returns, the program stops with a fatal report.
inline bool make_fast_context(FastContext &context, Area stack, void (*entry)(void *), void *arg) {
  if (!entry || check_stack(stack, fast_context_min_stack) != StackError::ok) return false;
  detail::sanitizer_forget_stack(stack.start, area_size(stack));
  detail::valgrind_register_stack(stack.start, stack.end);
  context.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  context.stack_end = reinterpret_cast<std::uintptr_t>(stack.end);
  context.sanitizer_fake_stack = detail::sanitizer_new_fast_thread();
  TargetPort::FastSwitch::prepare(context.state, context.stack_end, entry, arg);
  return true;
}

// Parks the running thread in `from` and resumes `to`. Returns when someone switches to `from`.
// `controls` says whether this thread gets its own FP controls back when it returns
// (FpControls::per_thread) or finds whatever the threads that ran meanwhile left (shared).
// It is a property of each call, so a thread that changes its rounding mode can ask for it
// at its own switches while the others keep the cheaper default.
template <FpControls controls = FpControls::shared>
inline void fast_switch(FastContext &from, FastContext &to) {
  if constexpr (detail::sanitizer_tracks_stacks) {
    detail::sanitizer_begin_switch(&from.sanitizer_fake_stack, to.sanitizer_fake_stack, to.stack_start, to.stack_end);
    detail::fast_switch_origin = &from;
  }
  const std::uint64_t never = TargetPort::FastSwitch::template switch_threads<controls>(from.state, to.state);
  // The switch runs other threads, which may read and write any variable of the program. In
  // the function that contains it, the asm's "memory" clobber makes the compiler assume so. But
  // GCC's ipa-reference, which summarises what each function reads and writes for its callers,
  // does not count an asm "memory" clobber as an access to file-static variables whose address
  // is never taken: a caller of a function that switches would keep such a static in a
  // register across the call (tests/fast_switch_statics.cpp). A call to a function it cannot
  // analyse makes the summary say "may read and write every static". The call only has to
  // exist, not to run: its condition comes out of the switch's asm (0 on every resume), so the
  // compiler cannot drop it. Executed, it would push a return address onto the resumed
  // thread's stack: one more cache line per switch.
  if (never != 0) [[unlikely]]
    cte_opaque_function();
  if constexpr (detail::address_sanitizer_active) {
    FastContext *origin = detail::fast_switch_origin;
    detail::sanitizer_end_switch(from.sanitizer_fake_stack, &origin->stack_start, &origin->stack_end);
  }
}

}  // namespace cte

// First C++ code of a fresh fast-switch thread (called by the port's trampoline).
extern "C" [[noreturn, gnu::used]] inline void cte_fast_thread_main(void (*entry)(void *), void *arg) {
  if constexpr (cte::detail::address_sanitizer_active) {
    cte::FastContext *origin = cte::detail::fast_switch_origin;
    cte::detail::sanitizer_end_switch(nullptr, &origin->stack_start, &origin->stack_end);
  }
  entry(arg);
  cte::detail::fatal("a fast-switch thread returned from its entry function (switch away instead)");
}
