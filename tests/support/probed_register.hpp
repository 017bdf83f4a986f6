#pragma once
// A register the register probes' negative test (tests/shared/register_test.cpp) changes in a
// preempted thread's trap frame: its word in cte_test_hold_registers' table (or the
// callee-saved probe's index) and its byte offset in the target's Frame.

#include <cstddef>

namespace cte_test {

struct ProbedRegister {
  unsigned word;
  std::size_t frame_offset;
};

}  // namespace cte_test
