#pragma once
// The aarch64 kcontext frame every port builds (hosted: kcontext.hpp; bare metal:
// exception_level/kcontext.hpp), given where the thread's entry function returns to.

#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/isa.hpp>
#include <cte/area.hpp>

namespace cte::aarch64 {

inline constexpr std::uint64_t initial_fpcr = 0;  // round to nearest, no FP traps, no flush-to-zero, IEEE NaNs
inline constexpr std::uint64_t initial_fpsr = 0;  // no cumulative exception flags
inline constexpr std::uint64_t initial_nzcv = 0;

// Builds the frame at the top of `stack` (already validated: aligned, large enough).
// The thread starts as if entry(arg) had just been called from the port's thread-exit stub:
// SP = the top of the stack (16-byte aligned), x30 = `exit_return_address`, x29 = 0 (the end
// of the frame-record chain). The frame itself sits frame_gap below that SP
// (Isa::frame_below), as every voluntary frame does; the thread's own stack frames overwrite
// it once it runs.
inline Frame *build_common_kcontext_frame(Area stack, void (*entry)(void *), void *arg,
                                          std::uintptr_t exit_return_address) {
  const auto top = reinterpret_cast<std::uintptr_t>(stack.end);
  Frame *frame = Isa::frame_below(top);
  *frame = Frame{};
  frame->x[0] = reinterpret_cast<std::uintptr_t>(arg);
  frame->x[29] = 0;
  frame->x[30] = exit_return_address;
  frame->sp = top;
  frame->pc = reinterpret_cast<std::uintptr_t>(entry);
  frame->pstate = initial_nzcv;
  frame->esr = svc_esr_of(voluntary_trap::yield);  // the frame decodes as the yield it will return from
  frame->trap_kind = static_cast<std::uint64_t>(TrapKind::synchronous);
  frame->fpcr = initial_fpcr;
  frame->fpsr = initial_fpsr;
  frame->library.stack_start = reinterpret_cast<std::uintptr_t>(stack.start);
  frame->library.stack_end = top;
  return frame;
}

// Bytes of a kcontext stack the initial frame occupies (the top is aligned, so frame_below
// puts the frame exactly frame_gap below it).
inline constexpr std::size_t kcontext_frame_footprint = frame_gap;

}  // namespace cte::aarch64
