#pragma once
// How a fresh fast-switch thread starts, the same on every port: make_fast_context writes a
// FreshThreadStart (entry function and argument) at the 16-byte-aligned top of its stack and
// parks the thread with sp = that record and the port's trampoline as its resume address. The
// first switch to it lands in the trampoline, which reads the record and calls
// cte_fast_thread_main with the stack pointer 16-byte aligned again (the record ends there).

#include <cstddef>
#include <cstdint>

extern "C" {
// Provided by the portable layer (cte/fast_switch.hpp): runs entry(arg), reports an entry
// that returns. Called by every port's trampoline.
[[noreturn]] void cte_fast_thread_main(void (*entry)(void *), void *arg);
// Provided by the portable layer: the fatal report for a switch to an unprepared FastContext.
// Called by every port's default resume address.
[[noreturn]] void cte_fast_switch_unprepared();
}

namespace cte::detail {

struct FreshThreadStart {
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadStart) == 16, "keeps the 16-byte aligned top aligned");

// Stack a fresh thread needs above what it uses itself: the record and up to 15 bytes of
// alignment at the top.
inline constexpr std::size_t fresh_thread_footprint = sizeof(FreshThreadStart) + 16;

// Parks `state` (a port's FastSwitch::State: `sp`, `resume_address`, every other register
// zero) so that the first switch to it starts entry(arg) on the stack ending at stack_end.
// FP controls are not part of it: a fresh thread starts with those live at its first switch.
template <class State>
void park_fresh_thread(State &state, void (*trampoline)(), std::uintptr_t stack_end, void (*entry)(void *), void *arg) {
  auto *fresh = reinterpret_cast<FreshThreadStart *>((stack_end & ~std::uintptr_t{15}) - sizeof(FreshThreadStart));
  fresh->entry = reinterpret_cast<std::uint64_t>(entry);
  fresh->arg = reinterpret_cast<std::uint64_t>(arg);
  state = State{};
  state.sp = fresh;
  state.resume_address = trampoline;
}

}  // namespace cte::detail
