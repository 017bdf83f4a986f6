#pragma once
// Valgrind client requests (header-only, from Debian's valgrind package when it is installed;
// nothing without it, and nothing but a check of RUNNING_ON_VALGRIND outside Valgrind).
//
// - Stacks: memcheck takes a large stack-pointer move within one stack for stack growth or
//   shrinkage and marks the memory in between inaccessible or undefined. A switch between two
//   cte threads whose stacks sit close together (an array of stacks) looks exactly like that.
//   Registered stacks (VALGRIND_STACK_REGISTER) make it a switch.
// - Frames below a stack pointer: memcheck treats memory below the stack pointer and its red
//   zone as inaccessible, but cte keeps an interrupted thread's Context there (Isa::frame_below).
//   The signal layer declares that memory accessible before it writes the Context.

#include <cstddef>
#include <cstdint>

#if __has_include(<valgrind/valgrind.h>) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#define CTE_VALGRIND 1
#endif

namespace cte::detail {

#if defined(CTE_VALGRIND)
// The stacks registered so far, by start address: a stack given to kcontext or
// make_fast_context again is registered once, and again (the old registration dropped) if its
// end moved. Beyond the table's capacity stacks are registered without being remembered.
struct ValgrindStacks {
  struct Entry {
    std::uintptr_t start, end;
    unsigned id;
  };
  static constexpr int capacity = 256;
  static inline Entry entries[capacity];
  static inline int count = 0;
};
#endif

// Tells Valgrind that [start, end) is a thread's stack.
inline void valgrind_register_stack([[maybe_unused]] void *start, [[maybe_unused]] void *end) {
#if defined(CTE_VALGRIND)
  if (!RUNNING_ON_VALGRIND) return;
  const auto first = reinterpret_cast<std::uintptr_t>(start), last = reinterpret_cast<std::uintptr_t>(end);
  for (int i = 0; i < ValgrindStacks::count; ++i) {
    ValgrindStacks::Entry &entry = ValgrindStacks::entries[i];
    if (entry.start != first) continue;
    if (entry.end == last) return;
    VALGRIND_STACK_DEREGISTER(entry.id);
    entry.end = last;
    entry.id = VALGRIND_STACK_REGISTER(start, end);
    return;
  }
  const unsigned id = VALGRIND_STACK_REGISTER(start, end);
  if (ValgrindStacks::count < ValgrindStacks::capacity)
    ValgrindStacks::entries[ValgrindStacks::count++] = {first, last, id};
#endif
}

// Declares [start, start + size), below a stack pointer, accessible (contents undefined) before
// cte writes a Context there.
inline void valgrind_claim_below_stack_pointer([[maybe_unused]] const void *start, [[maybe_unused]] std::size_t size) {
#if defined(CTE_VALGRIND)
  VALGRIND_MAKE_MEM_UNDEFINED(start, size);
#endif
}

}  // namespace cte::detail
