#pragma once
// AddressSanitizer fiber annotations. ASan tracks one stack per host thread; every stack switch
// the library performs is announced so that it neither reports false stack errors nor loses
// track of the stack it is on. Compiles to nothing without ASan.

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define CTE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CTE_ASAN 1
#endif
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

// Before leaving the current stack for [start, end). fake_stack_save keeps the leaving
// thread's fake stack (use-after-return detection) until it is resumed.
inline void sanitizer_begin_switch([[maybe_unused]] void **fake_stack_save, [[maybe_unused]] std::uintptr_t start,
                                   [[maybe_unused]] std::uintptr_t end) {
#if defined(CTE_ASAN)
  __sanitizer_start_switch_fiber(fake_stack_save, reinterpret_cast<const void *>(start), end - start);
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
