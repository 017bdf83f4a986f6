#pragma once
// aarch64 bare-metal kcontext: the common kcontext frame, returning into level L's thread-exit
// stub (voluntary_entry.hpp), resumed by the vector's restore like any frame it saved (eret to entry at
// ELx on SP_EL0).

#include <cstdint>

#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/voluntary_entry.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/instruction_length.hpp>
#include <cte/aarch64/kcontext_frame.hpp>
#include <cte/area.hpp>
#include <cte/context.hpp>

namespace cte::aarch64::exception_level {

// The PSTATE a new thread of level L resumes with: ELxt, debug, SError and FIQ masked (cte
// takes none of them), IRQ masked until the portable layer sets the thread's interrupt state.
template <ExceptionLevel L>
inline constexpr std::uint64_t initial_thread_pstate =
    Level<L>::thread_mode | pstate::debug_mask | pstate::serror_mask | pstate::irq_mask | pstate::fiq_mask;

template <ExceptionLevel L>
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  Frame *const frame = build_common_kcontext_frame(
      stack, entry, arg, reinterpret_cast<std::uintptr_t>(thread_exit_stub<L>) + instruction_size);
  frame->pstate = initial_thread_pstate<L>;
  frame->library.state = frame_state::asynchronous;  // the restore loads every register anyway
  return frame;
}

}  // namespace cte::aarch64::exception_level
