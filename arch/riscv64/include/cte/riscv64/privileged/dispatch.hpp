#pragma once
// The C++ side of the bare-metal trap entries. The vector's: marks a frame saved in the
// reserved overflow frame as a stack overflow and hands it to the portable dispatcher. The
// voluntary-trap stubs': their frame is already recorded as the handler sees it (overflow
// included), so the platform's on_trap_entry is skipped. Needs the runtime, so the
// port header (after <cte/detail/runtime.hpp>) includes it, not the board header.

#include <cte/board/voluntary_dispatch.hpp>
#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/riscv64/decode.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

// Called by the vector of either mode with the frame it saved; returns the frame to resume.
extern "C" [[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_privileged_trap_dispatch(cte::riscv64::Frame *frame) {
  if (frame == &cte::riscv64::privileged::trap_scratch.overflow_frame)
    frame->library.state |= cte::frame_state::stack_overflow;
  return cte::detail::dispatch_trap(frame);
}

// Called by the voluntary-trap stubs of either mode (syscall, thread exit; yield: below). The
// frame records an ecall (cause, tval = the marker): the Event is the one TargetIsa::decode gives
// for it (cause = the raw cause, ref = 0), without the decoder.
extern "C" [[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_privileged_voluntary_dispatch(
    cte::riscv64::Frame *frame) {
  return cte::board::dispatch_voluntary_trap(frame, frame->cause, 0, frame->tval);
}

// Called by the yield stubs: the same, with the marker known to be yield (the stub stored it).
extern "C" [[gnu::used]] inline cte::riscv64::Frame *cte_riscv64_privileged_yield_dispatch(cte::riscv64::Frame *frame) {
  return cte::board::dispatch_voluntary_trap(frame, frame->cause, 0, cte::voluntary_trap::yield);
}
