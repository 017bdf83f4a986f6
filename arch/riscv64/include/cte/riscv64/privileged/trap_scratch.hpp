#pragma once
// Where the riscv64 bare-metal trap code parks what it needs before a frame exists, and the
// reserved frame and stack for a thread that ran off its stack (trap_entry.hpp,
// voluntary_entry.hpp). The scratch CSR (mscratch / sscratch) points here whenever trap code
// is not running.

#include <cstddef>
#include <cstdint>

#include <cte/riscv64/frame.hpp>

namespace cte::riscv64::privileged {

inline constexpr std::size_t emergency_stack_size = 16 * 1024;
// A frame that would lie below the thread's frame limit by at most this much is an overflow.
inline constexpr unsigned overflow_window_shift = 16;  // 64 KiB

struct TrapScratch {
  std::uint64_t spill_t1;           // the interrupted t1 and t2, while the vector decides where the
  std::uint64_t spill_t2;           // frame goes
  std::uint64_t frame_limit;        // lowest address a frame of the running thread may start at; 0: none
  std::uint64_t limit_stack_start;  // the stack_start frame_limit (and the M-mode guard) belong to
  alignas(16) unsigned char emergency_stack[emergency_stack_size];  // the dispatcher's stack on overflow
  Frame overflow_frame;  // the Context of a thread that ran off its stack (top of the emergency stack)
};
static_assert(offsetof(TrapScratch, overflow_frame) % 16 == 0);
static_assert(offsetof(TrapScratch, frame_limit) < 2048, "reached with a 12-bit load offset");

// One hart, one kernel: one scratch area.
inline TrapScratch trap_scratch;

}  // namespace cte::riscv64::privileged
