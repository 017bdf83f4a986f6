#pragma once
// Whether memory can be read, asked without the risk of a fault the handler cannot survive:
// the handler's tools (skip_instruction, the parked-Context check) must not fault on a wild
// pc or pointer, because a fault inside the handler is a fatal nested trap. The port's guarded
// touch loads the first and the last byte; if a load faults, the exception signal handler
// resumes it at its fault label, which returns 0 (resume_faulted_touch, called before anything
// else the handler does). A range of at most a page lies on at most two pages, which those two
// bytes cover. This needs the fault signals (SIGSEGV, SIGBUS) unblocked on the kernel thread,
// as every fault that reaches the cte handler does. Signals: the ISA's HostedSignals, whose
// GuardedTouch names the touch function and its labels.

#include <signal.h>
#include <ucontext.h>

#include <cstddef>
#include <cstdint>

namespace cte::detail::hosted {

inline constexpr std::size_t read_probe_limit = 4096;

template <class Signals>
bool readable(std::uintptr_t address, std::size_t size) {
  if (size == 0 || size > read_probe_limit || address + (size - 1) < address) return false;
  return Signals::GuardedTouch::touch(address, address + (size - 1)) != 0;
}

// A fault signal whose pc is one of the guarded touch's loads: resumes the touch at its fault
// label and returns true.
template <class Signals>
bool resume_faulted_touch(int signo, ucontext_t &uc) {
  if (signo != SIGSEGV && signo != SIGBUS) return false;
  using Touch = typename Signals::GuardedTouch;
  const std::uintptr_t pc = Signals::pc(uc);
  if (pc < reinterpret_cast<std::uintptr_t>(Touch::touch) || pc >= reinterpret_cast<std::uintptr_t>(Touch::loads_end))
    return false;
  Signals::set_pc(uc, reinterpret_cast<std::uintptr_t>(Touch::fault));
  return true;
}

}  // namespace cte::detail::hosted
