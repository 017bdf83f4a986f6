#pragma once
// riscv64 bare-metal kcontext: the frame that starts a thread at entry(arg) on a fresh stack,
// resumed by restore_asynchronous like any frame the vector saved (xRET to entry).

#include <cstdint>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/kcontext_frame.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

namespace cte::riscv64::privileged {

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

// Builds the frame at the top of `stack` (already validated: aligned, large enough): the
// common kcontext frame with mode P's thread-exit stub and ecall cause (an entry function that
// returns traps with the thread-exit marker), and the status the thread starts with.
// Marked asynchronous: the restore loads every register anyway.
template <Privilege P>
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  Frame *const frame = build_common_kcontext_frame(stack, entry, arg, Stubs<P>::thread_exit, Mode<P>::ecall_cause);
  frame->status = initial_thread_status<P>();
  frame->library.state = frame_state::asynchronous;
  return frame;
}

}  // namespace cte::riscv64::privileged
