#pragma once
// The part of a riscv64 kcontext frame that is the same hosted and on bare metal: a thread that
// starts at entry(arg) on a fresh stack, as if entry had just been called from the platform's
// thread-exit stub. The platform's kcontext.hpp adds what differs (its stub, cause, status).

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/isa.hpp>

namespace cte::riscv64 {

// fcsr a kcontext thread starts with: round to nearest, ties to even (frm = 0), no flags.
inline constexpr std::uint64_t initial_fcsr = 0;

// Bytes of a kcontext stack the initial frame occupies (the stack end is 16-byte aligned).
inline constexpr std::size_t kcontext_frame_footprint = sizeof(Frame);

// Builds the frame at the top of `stack` (already validated: aligned, large enough):
// sp = the top of the stack (16-byte aligned, as the psABI requires at a call), ra =
// `thread_exit` (an entry function that returns lands there), a0 = arg, pc = entry. gp and tp
// are the creating thread's: every cte thread shares the global and thread pointers. The frame
// decodes as the yield it is resumed from (cause = `ecall_cause`, tval = the yield marker).
inline Frame *build_common_kcontext_frame(Area stack, void (*entry)(void *), void *arg, void (*thread_exit)(),
                                          std::uint64_t ecall_cause) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  Frame *const frame = Isa::frame_below(top);
  *frame = Frame{};
  std::uint64_t global_pointer, thread_pointer;
  asm("mv %0, gp\n\tmv %1, tp" : "=r"(global_pointer), "=r"(thread_pointer));
  frame->pc = reinterpret_cast<std::uintptr_t>(entry);
  frame->x[reg::a0] = reinterpret_cast<std::uintptr_t>(arg);
  frame->x[reg::ra] = reinterpret_cast<std::uintptr_t>(thread_exit);
  frame->x[reg::sp] = top;
  frame->x[reg::gp] = global_pointer;
  frame->x[reg::tp] = thread_pointer;
  frame->cause = ecall_cause;
  frame->tval = voluntary_trap::yield;
  frame->fcsr = initial_fcsr;
  frame->library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame->library.stack_end = top;
  return frame;
}

}  // namespace cte::riscv64
