#pragma once
// riscv64 bare-metal kcontext: the frame that starts a thread at entry(arg) on a fresh stack,
// resumed by the trap vector's restore path like any other frame (xRET to entry).

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/isa.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

namespace cte::riscv64::privileged {

// fcsr a kcontext thread starts with: round to nearest, ties to even (frm = 0), no flags.
inline constexpr std::uint64_t initial_fcsr = 0;

// The status a new thread of mode P resumes with: the live status (it keeps the kernel's
// global settings, e.g. M-mode's MPRV) with interrupts off until xRET, xPP = P itself, FP on
// in its initial state. xPIE (the thread's interrupt state) is the portable layer's to set.
template <Privilege P>
inline std::uint64_t initial_thread_status() {
  using M = Mode<P>;
  std::uint64_t value = csr_read<M::status_csr>();
  value &= ~(M::interrupt_enable | M::previous_interrupt_enable | M::previous_privilege | status::fs);
  return value | M::previous_privilege_self | status::fs_initial;
}

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from mode P's thread-exit stub:
// sp = the top of the stack, ra = that stub, so an entry function that returns traps with
// a7 = ecall_a7::thread_exit. gp and tp are the creator's. The frame decodes as the yield it
// is resumed from.
template <Privilege P>
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  Frame *const frame = Isa::frame_below(top);
  *frame = Frame{};
  std::uint64_t global_pointer, thread_pointer;
  asm("mv %0, gp\n\tmv %1, tp" : "=r"(global_pointer), "=r"(thread_pointer));
  frame->pc = reinterpret_cast<std::uintptr_t>(entry);
  frame->x[reg::a0] = reinterpret_cast<std::uintptr_t>(arg);
  frame->x[reg::ra] = reinterpret_cast<std::uintptr_t>(Stubs<P>::thread_exit);
  frame->x[reg::sp] = top;
  frame->x[reg::gp] = global_pointer;
  frame->x[reg::tp] = thread_pointer;
  frame->x[reg::a7] = ecall_a7::yield;
  frame->cause = Mode<P>::ecall_cause;
  frame->status = initial_thread_status<P>();
  frame->fcsr = initial_fcsr;
  frame->library.state = frame_state::asynchronous;  // restore loads every register anyway
  frame->library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame->library.stack_end = top;
  return frame;
}

// Bytes of a kcontext stack the initial frame occupies (the stack end is 16-byte aligned).
inline constexpr std::size_t kcontext_frame_footprint = sizeof(Frame);

}  // namespace cte::riscv64::privileged
