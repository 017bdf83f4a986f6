#pragma once
// riscv64 kcontext: the frame that starts a thread at entry(arg) on a fresh stack.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/isa.hpp>
#include <cte/riscv64/trap_entry.hpp>

namespace cte::riscv64 {

// fcsr a kcontext thread starts with: round to nearest, ties to even (frm = 0), no flags.
inline constexpr std::uint64_t initial_fcsr = 0;

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from cte_riscv64_thread_exit_trap:
// sp = the top of the stack (16-byte aligned, as the psABI requires at a call), ra = that stub,
// so an entry function that returns lands in it. gp and tp are the creating thread's: every
// cte thread runs on the same host thread, with the same global and thread pointers.
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  Frame *const frame = Isa::frame_below(top);
  *frame = Frame{};
  std::uint64_t global_pointer, thread_pointer;
  asm("mv %0, gp\n\tmv %1, tp" : "=r"(global_pointer), "=r"(thread_pointer));
  frame->pc = reinterpret_cast<std::uintptr_t>(entry);
  frame->x[reg::a0] = reinterpret_cast<std::uintptr_t>(arg);
  frame->x[reg::ra] = reinterpret_cast<std::uintptr_t>(&cte_riscv64_thread_exit_trap);
  frame->x[reg::sp] = top;
  frame->x[reg::gp] = global_pointer;
  frame->x[reg::tp] = thread_pointer;
  frame->x[reg::a7] = ecall_a7::yield;  // decodes as the yield it will resume from
  frame->cause = cause::ecall_from_u;
  frame->fcsr = initial_fcsr;
  frame->library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame->library.stack_end = top;
  return frame;
}

// Bytes of a kcontext stack the initial frame occupies (the stack end is 16-byte aligned).
inline constexpr std::size_t kcontext_frame_footprint = sizeof(Frame);

}  // namespace cte::riscv64
