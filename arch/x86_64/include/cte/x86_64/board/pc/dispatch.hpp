#pragma once
// The C++ side of the pc board's trap entry and voluntary stubs: marks a frame the trap entry
// saved in the reserved overflow frame as a stack overflow and hands every frame to the
// portable dispatcher. Needs the
// runtime, so the port header (after <cte/detail/runtime.hpp>) includes it, not the board
// header.

#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/x86_64/board/pc/trap_entry.hpp>
#include <cte/x86_64/board/pc/voluntary_entry.hpp>
#include <cte/x86_64/decode.hpp>
#include <cte/x86_64/frame.hpp>

// Called by the trap entry with the (asynchronous) frame it saved; returns the frame to resume.
extern "C" [[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_pc_trap_dispatch(cte::x86_64::Frame *frame) {
  if (frame == &cte_x86_64_pc_trap_scratch.overflow.frame) [[unlikely]]
    frame->library.state |= cte::frame_state::stack_overflow;
  return cte::detail::dispatch_trap(frame);
}

// Called by the voluntary stubs (syscall, thread exit; yield: below) with the frame they saved,
// already recorded as the handler must see it (overflow included): the board's on_trap_entry
// has nothing to do for it.
extern "C" [[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_pc_voluntary_dispatch(cte::x86_64::Frame *frame) {
  return cte::detail::dispatch_decoded_trap(frame, cte::detail::decode_frame(*frame));
}

// Called by the yield stub: a yield's Event is a constant (decoded at compile time, as the
// hosted yield stub's); a yield that overflowed its stack is decoded like the others.
extern "C" [[gnu::used]] inline cte::x86_64::Frame *cte_x86_64_pc_yield_dispatch(cte::x86_64::Frame *frame) {
  if (frame->library.state & cte::frame_state::stack_overflow) [[unlikely]]
    return cte_x86_64_pc_voluntary_dispatch(frame);
  return cte::detail::dispatch_decoded_trap(frame, cte::x86_64::yield_event);
}
