#pragma once
// x86_64 kcontext: the frame that starts a thread at entry(arg) on a fresh stack.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/isa.hpp>
#include <cte/x86_64/trap_entry.hpp>

namespace cte::x86_64 {

inline constexpr std::uint64_t initial_rflags = 0x202;  // IF set, reserved bit 1 set
inline constexpr std::uint16_t initial_fcw = 0x037f;    // x87 default: all exceptions masked, extended precision
inline constexpr std::uint32_t initial_mxcsr = 0x1f80;  // SSE default: all exceptions masked, round to nearest

// The stack pointer a kcontext thread starts with, below the 16-byte aligned top of its stack:
// the ABI wants RSP+8 16-byte aligned at function entry, and [RSP] holds the return address.
constexpr std::uintptr_t kcontext_thread_sp(std::uintptr_t top) { return top - 8; }

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from cte_x86_64_thread_exit_trap,
// so an entry function that returns lands in that stub.
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  const std::uintptr_t thread_sp = kcontext_thread_sp(top);
  *reinterpret_cast<void (**)()>(thread_sp) = &cte_x86_64_thread_exit_trap;

  Frame *frame = Isa::frame_below(thread_sp);
  *frame = Frame{};
  frame->rip = reinterpret_cast<std::uintptr_t>(entry);
  frame->rdi = reinterpret_cast<std::uintptr_t>(arg);
  frame->rsp = thread_sp;
  frame->rflags = initial_rflags;
  frame->vector = vector::yield;
  frame->fpu.fcw = initial_fcw;
  frame->fpu.mxcsr = initial_mxcsr;
  frame->library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame->library.stack_end = top;
  return frame;
}

// Bytes of a kcontext stack the initial frame occupies: from the frame to the top (any
// 16-byte aligned top gives the same distance; 0x10000 is a sample).
inline constexpr std::size_t kcontext_frame_footprint = 0x10000 - Isa::frame_address_below(kcontext_thread_sp(0x10000));
static_assert(Isa::frame_address_below(kcontext_thread_sp(0x10010)) == 0x10010 - kcontext_frame_footprint);

}  // namespace cte::x86_64
