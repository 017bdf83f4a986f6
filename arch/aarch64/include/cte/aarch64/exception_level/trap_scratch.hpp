#pragma once
// What the aarch64 bare-metal trap entry needs besides the trapped thread's stack: the stack
// exceptions are taken on, the running thread's frame limit, and the reserved frame (with the
// stack below it) of a thread that ran off its stack (trap_entry.hpp, voluntary_entry.hpp).

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>

namespace cte::aarch64::exception_level {

// The vector's dispatcher and handler run on this stack (SP_ELx), never on a thread's.
inline constexpr std::size_t exception_stack_size = 32 * 1024;
// The dispatcher's stack when a voluntary-trap stub (voluntary_entry.hpp) finds the running
// thread off its stack: directly below the reserved frame, apart from the exception stack (a
// trap inside that handler is taken on SP_ELx without touching it).
inline constexpr std::size_t emergency_stack_size = 16 * 1024;
// A frame that would lie below the thread's frame limit by at most this much is an overflow.
inline constexpr unsigned overflow_window_shift = 16;  // 64 KiB

struct TrapScratch {
  std::uint64_t frame_limit;        // lowest address a frame of the running thread may start at; 0: none
  std::uint64_t limit_stack_start;  // the stack_start frame_limit belongs to
  alignas(16) unsigned char emergency_stack[emergency_stack_size];
  Frame overflow_frame;  // the Context of a thread that ran off its stack (top of the emergency stack)
  alignas(16) unsigned char exception_stack[exception_stack_size];
};
static_assert(offsetof(TrapScratch, frame_limit) == 0, "the stubs load it from the symbol itself");
static_assert(offsetof(TrapScratch, overflow_frame) == offsetof(TrapScratch, emergency_stack) + emergency_stack_size,
              "the emergency stack ends at the reserved frame");
static_assert(offsetof(TrapScratch, exception_stack) % 16 == 0 && exception_stack_size % 16 == 0 &&
              emergency_stack_size % 16 == 0);

}  // namespace cte::aarch64::exception_level

// One CPU, one kernel: one scratch area. A C name: the assembly addresses it.
extern "C" {
inline cte::aarch64::exception_level::TrapScratch cte_aarch64_trap_scratch;
}
