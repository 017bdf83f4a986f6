#pragma once
// The C++ side of the pc board's trap entry: marks a frame saved in the reserved overflow
// frame as a stack overflow and hands every frame to the portable dispatcher. Needs the
// runtime, so the port header (after <cte/detail/runtime.hpp>) includes it, not the board
// header.

#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/x86_64/board/pc/trap_entry.hpp>
#include <cte/x86_64/decode.hpp>
#include <cte/x86_64/frame.hpp>

// A yield's Event is a constant (decoded at compile time, as the hosted yield stub's); a yield
// that overflowed its stack is decoded like any other trap.
extern "C" [[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_pc_trap_dispatch(cte::x86_64::Frame *frame) {
  if (frame == &cte_x86_64_pc_trap_scratch.overflow.frame) [[unlikely]] {
    frame->library.state |= cte::frame_state::stack_overflow;
  } else if (frame->vector == cte::x86_64::vector::yield) {
    return cte::detail::dispatch_decoded_trap(frame, cte::x86_64::yield_event);
  }
  return cte::detail::dispatch_trap(frame);
}
