#pragma once
// The part of an x86_64 kcontext frame every x86_64 port builds the same way (the hosted port,
// kcontext.hpp; the pc board, board/pc/port.hpp): the thread starts at entry(arg) as if called
// from its port's exit stub, with the default FP controls and its interrupts as the portable
// layer sets them. Where the frame lies and the exit stub are the port's.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/x86_64/frame.hpp>

namespace cte::x86_64 {

inline constexpr std::uint64_t initial_rflags = 0x202;  // IF set, reserved bit 1 set
inline constexpr std::uint16_t initial_fcw = 0x037f;    // x87 default: all exceptions masked, extended precision
inline constexpr std::uint32_t initial_mxcsr = 0x1f80;  // SSE default: all exceptions masked, round to nearest

// The stack pointer a kcontext thread starts with, below the 16-byte aligned top of its stack:
// the ABI wants RSP+8 16-byte aligned at function entry, and [RSP] holds the return address.
constexpr std::uintptr_t kcontext_thread_sp(std::uintptr_t top) { return top - 8; }

// Writes the exit stub as the thread's return address and fills `frame` (placed by the port
// below kcontext_thread_sp of the stack's top) for a thread of `stack` that starts at entry(arg).
inline void fill_kcontext_frame(Frame &frame, Area stack, void (*entry)(void *), void *arg, void (*exit_stub)()) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  const std::uintptr_t thread_sp = kcontext_thread_sp(top);
  *reinterpret_cast<void (**)()>(thread_sp) = exit_stub;
  frame = Frame{};
  frame.rip = reinterpret_cast<std::uintptr_t>(entry);
  frame.rdi = reinterpret_cast<std::uintptr_t>(arg);
  frame.rsp = thread_sp;
  frame.rflags = initial_rflags;
  frame.vector = vector::yield;
  frame.fpu.fcw = initial_fcw;
  frame.fpu.mxcsr = initial_mxcsr;
  frame.library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame.library.stack_end = top;
}

}  // namespace cte::x86_64
