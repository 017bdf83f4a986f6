#pragma once
// Validation of the stacks handed to kcontext() and make_fast_context().

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>

namespace cte {

enum class StackError : std::uint8_t {
  ok,
  null_area,   // start or end is null, or end <= start
  misaligned,  // start or end not a multiple of stack_alignment
  too_small,   // smaller than the minimum for this use (see the function's documentation)
};

constexpr const char *to_string(StackError error) {
  switch (error) {
    case StackError::ok: return "ok";
    case StackError::null_area: return "stack area is null or empty";
    case StackError::misaligned: return "stack area start/end not 16-byte aligned";
    case StackError::too_small: return "stack area too small";
  }
  return "unknown";
}

inline constexpr std::size_t stack_alignment = 16;

inline StackError check_stack(Area stack, std::size_t min_size) {
  const auto start = reinterpret_cast<std::uintptr_t>(stack.start);
  const auto end = reinterpret_cast<std::uintptr_t>(stack.end);
  if (!stack.start || !stack.end || end <= start) return StackError::null_area;
  if (start % stack_alignment || end % stack_alignment) return StackError::misaligned;
  if (end - start < min_size) return StackError::too_small;
  return StackError::ok;
}

}  // namespace cte
