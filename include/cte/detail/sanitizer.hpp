#pragma once
// Sanitizer fiber annotations. AddressSanitizer and ThreadSanitizer track one stack per host
// thread; every stack switch the library performs is announced so that ASan neither reports
// false stack errors nor loses track of the stack it is on, and TSan keeps each cte thread's
// call stack and happens-before order apart (a fiber per thread; a switch orders everything
// before it before everything after it, as on one host thread). Each thread has one sanitizer
// word: FastContext::sanitizer_fake_stack and LibraryWords::sanitizer_fake_stack hold ASan's
// fake stack or TSan's fiber. Compiles to nothing without either sanitizer.

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define CTE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTE_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define CTE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CTE_TSAN 1
#endif
#endif

#if defined(CTE_TSAN)
extern "C" {
void *__tsan_get_current_fiber();
void *__tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
void __tsan_func_entry(void *call_pc);  // the compiler's instrumentation: a function was entered
}
#endif

#if defined(CTE_ASAN)
extern "C" {
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, std::size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, std::size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, std::size_t size);
}
#endif

namespace cte::detail {

inline constexpr bool address_sanitizer_active =
#if defined(CTE_ASAN)
    true;
#else
    false;
#endif

inline constexpr bool thread_sanitizer_active =
#if defined(CTE_TSAN)
    true;
#else
    false;
#endif

// Whether stack switches are announced at all.
inline constexpr bool sanitizer_tracks_stacks = address_sanitizer_active || thread_sanitizer_active;

// Before leaving the current stack for [start, end), the stack of the thread whose sanitizer
// word is `target`. `own` is the leaving thread's word: ASan saves its fake stack there
// (use-after-return detection) until it is resumed; TSan records its fiber there and switches
// to the target's fiber. Under TSan, call it where the resumed thread continues as the one that
// left would: in the same function (the fast switch), or one instrumented function-level below
// the switch (the dispatcher: see sanitizer_new_trap_thread).
inline void sanitizer_begin_switch([[maybe_unused]] void **own, [[maybe_unused]] void *target,
                                   [[maybe_unused]] std::uintptr_t start, [[maybe_unused]] std::uintptr_t end) {
#if defined(CTE_ASAN)
  __sanitizer_start_switch_fiber(own, reinterpret_cast<const void *>(start), end - start);
#elif defined(CTE_TSAN)
  *own = __tsan_get_current_fiber();
  if (target) __tsan_switch_to_fiber(target, 0);
#endif
}

#if defined(CTE_TSAN)
// Declared, never defined: a call that remains in a program is a compile-time error.
__attribute__((
    error("cte: hosted timer ticks and external interrupts are signal-driven and do not work under ThreadSanitizer "
          "(it delivers asynchronous signals late, on the interrupted stack, outside the code they interrupted); "
          "yield, syscall, kcontext and the fast switch do. Build this program without -fsanitize=thread "
          "(docs/HOSTED.md)"))) void
cte_signal_driven_interrupt_under_thread_sanitizer();
#endif

// Called by the APIs that need asynchronous signals (timer::start, ExternalLine::raise): under
// ThreadSanitizer a program that calls them does not compile.
inline void refuse_under_thread_sanitizer() {
#if defined(CTE_TSAN)
  cte_signal_driven_interrupt_under_thread_sanitizer();
#endif
}

// The sanitizer word of a fresh fast-switch thread (TSan: a new fiber, whose first code is the
// thread's trampoline).
inline void *sanitizer_new_fast_thread() {
#if defined(CTE_TSAN)
  return __tsan_create_fiber(0);
#else
  return nullptr;
#endif
}

// The sanitizer word of a fresh kcontext thread. The trap path switches fibers inside the
// dispatcher, so the first thing a resumed fiber does is leave the dispatcher's outermost
// function (the trap stubs call it; dispatch_trap and dispatch_decoded_trap are inlined into
// it): a thread that trapped entered that function itself, and a new thread's fiber gets that
// one entry here, so that TSan's record of its calls stays balanced.
inline void *sanitizer_new_trap_thread([[maybe_unused]] void (*entry)(void *)) {
#if defined(CTE_TSAN)
  void *const fiber = __tsan_create_fiber(0);
  void *const self = __tsan_get_current_fiber();
  constexpr unsigned no_sync = 1;  // __tsan_switch_to_fiber_no_sync
  __tsan_switch_to_fiber(fiber, no_sync);
  __tsan_func_entry(reinterpret_cast<void *>(entry));
  __tsan_switch_to_fiber(self, no_sync);
  return fiber;
#else
  return nullptr;
#endif
}

// After arriving on the new stack. Reports the bounds of the stack that was left.
inline void sanitizer_end_switch([[maybe_unused]] void *fake_stack, std::uintptr_t *left_start,
                                 std::uintptr_t *left_end) {
#if defined(CTE_ASAN)
  const void *bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
  *left_start = reinterpret_cast<std::uintptr_t>(bottom);
  *left_end = *left_start + size;
#else
  (void)left_start;
  (void)left_end;
#endif
}

// A stack about to be reused may still carry redzones of frames that never returned.
inline void sanitizer_forget_stack([[maybe_unused]] void *start, [[maybe_unused]] std::size_t size) {
#if defined(CTE_ASAN)
  __asan_unpoison_memory_region(start, size);
#endif
}

}  // namespace cte::detail
