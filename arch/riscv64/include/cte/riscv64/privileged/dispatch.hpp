#pragma once
// The C++ side of the bare-metal trap vector: marks a frame saved in the reserved overflow
// frame as a stack overflow and hands it to the portable dispatcher. Needs the runtime, so the
// port header (after <cte/detail/runtime.hpp>) includes it, not the board header.

#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

// Called by the vector of either mode with the frame it saved; returns the frame to resume.
extern "C" [[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_privileged_trap_dispatch(cte::riscv64::Frame *frame) {
  if (frame == &cte::riscv64::privileged::trap_scratch.overflow_frame)
    frame->library_state |= cte::frame_state::stack_overflow;
  return cte::detail::dispatch_trap(frame);
}
