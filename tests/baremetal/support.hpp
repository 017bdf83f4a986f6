#pragma once
// Shared pieces of the bare-metal test cases: stacks (static memory: no heap), the board's
// clock.
//
// The cases are the same on every board; what differs per ISA is in the ISA's probe header,
// tests/baremetal/<isa>/trap_probes.hpp, which defines in cte_test:
//   probes        cte_test_illegal_instruction, _illegal_other_length, cte_test_breakpoint,
//                 _breakpoint_other_length, cte_test_divide, cte_test_load, cte_test_store,
//                 cte_test_call, cte_test_misaligned_load, cte_test_amo_add,
//                 cte_test_hold_registers(_across_trap) (declared everywhere, defined where the
//                 ISA has the instruction)
//   expectations  the raw causes, lengths and refs of those traps (illegal_instruction_cause,
//                 breakpoint_length, is_unbacked_load_cause(), ...), unbacked_address (where
//                 nothing answers), protection_fault_kind (an inaccessible page),
//                 is_guard_fault(), return_to_caller()
//   skips         X_skip: nullptr where a case applies, else the reason it cannot (the runner
//                 prints it: never a silent pass)
//   fp            the FP controls a thread owns: read_controls, write_controls,
//                 controls_pattern, polluted_controls, get_rounding, set_rounding

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdint>

#include "support/static_stack.hpp"

namespace cte_test {

template <std::size_t Size>
using Stack = StaticStack<Size>;

// Time since reset in tenths of a microsecond (the board's clock).
inline constexpr std::uint64_t ticks_per_us = 10;
inline std::uint64_t now_ticks() { return cte::TargetPlatform::uptime_us() * ticks_per_us; }
inline void spin_us(std::uint64_t microseconds) {
  const std::uint64_t until = now_ticks() + microseconds * ticks_per_us;
  while (now_ticks() < until) {
  }
}

}  // namespace cte_test
