#pragma once
// x86_64 kcontext: the frame that starts a thread at entry(arg) on a fresh stack.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/isa.hpp>
#include <cte/x86_64/kcontext_frame.hpp>
#include <cte/x86_64/trap_entry.hpp>

namespace cte::x86_64 {

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from cte_x86_64_thread_exit_trap,
// so an entry function that returns lands in that stub. The frame is asynchronous: its
// argument register (RDI) must be loaded, which the voluntary resume does not do.
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  Frame *const frame = Isa::frame_below(kcontext_thread_sp(reinterpret_cast<std::uintptr_t>(stack.end)));
  fill_kcontext_frame(*frame, stack, entry, arg, &cte_x86_64_thread_exit_trap);
  frame->library.state = frame_state::asynchronous;
  return frame;
}

// Bytes of a kcontext stack the initial frame occupies: from the frame to the top (any
// 16-byte aligned top gives the same distance; 0x10000 is a sample).
inline constexpr std::size_t kcontext_frame_footprint = 0x10000 - Isa::frame_address_below(kcontext_thread_sp(0x10000));
static_assert(Isa::frame_address_below(kcontext_thread_sp(0x10010)) == 0x10010 - kcontext_frame_footprint);

}  // namespace cte::x86_64
