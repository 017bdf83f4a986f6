#pragma once
// What the aarch64 bare-metal trap entry needs besides the trapped thread's stack: the stack
// exceptions are taken on, the running thread's frame limit, and the reserved frame of a
// thread that ran off its stack (trap_entry.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>

namespace cte::aarch64::exception_level {

// The dispatcher and the handler run on this stack (SP_ELx), never on a thread's.
inline constexpr std::size_t exception_stack_size = 32 * 1024;
// A frame that would lie below the thread's frame limit by at most this much is an overflow.
inline constexpr unsigned overflow_window_shift = 16;  // 64 KiB

struct TrapScratch {
  Frame overflow_frame;             // the Context of a thread that ran off its stack (first: small offsets)
  std::uint64_t frame_limit;        // lowest address a frame of the running thread may start at; 0: none
  std::uint64_t limit_stack_start;  // the stack_start frame_limit belongs to
  alignas(16) unsigned char exception_stack[exception_stack_size];
};
static_assert(offsetof(TrapScratch, overflow_frame) == 0);
static_assert(offsetof(TrapScratch, frame_limit) <= 32760 && offsetof(TrapScratch, frame_limit) % 8 == 0,
              "reached with a scaled 12-bit load offset");
static_assert(offsetof(TrapScratch, exception_stack) % 16 == 0 && exception_stack_size % 16 == 0);

}  // namespace cte::aarch64::exception_level

// One CPU, one kernel: one scratch area. A C name: the vector addresses it (trap_entry.hpp).
extern "C" {
inline cte::aarch64::exception_level::TrapScratch cte_aarch64_trap_scratch;
}
