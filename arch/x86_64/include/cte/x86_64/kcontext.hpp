#pragma once
// x86_64 kcontext: the frame that starts a thread at entry(arg) on a fresh stack.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/trap_entry.hpp>

namespace cte::x86_64 {

inline constexpr std::uint64_t initial_rflags = 0x202;  // IF set, reserved bit 1 set
inline constexpr std::uint16_t initial_fcw = 0x037f;    // x87 default: all exceptions masked, extended precision
inline constexpr std::uint32_t initial_mxcsr = 0x1f80;  // SSE default: all exceptions masked, round to nearest

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from cte_x86_64_thread_exit_trap,
// so an entry function that returns lands in that stub.
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  const std::uintptr_t thread_sp = top - 8;  // ABI: RSP+8 is 16-byte aligned at function entry
  *reinterpret_cast<void (**)()>(thread_sp) = &cte_x86_64_thread_exit_trap;

  const std::uintptr_t frame_address = (thread_sp - red_zone - restore_window - sizeof(Frame)) & ~std::uintptr_t{15};
  auto *frame = reinterpret_cast<Frame *>(frame_address);
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

// Bytes of a kcontext stack the initial frame occupies.
inline constexpr std::size_t kcontext_frame_footprint = (8 + red_zone + restore_window + sizeof(Frame) + 15) / 16 * 16 + 16;

}  // namespace cte::x86_64
