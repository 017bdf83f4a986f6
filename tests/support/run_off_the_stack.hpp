#pragma once
// Stack overflow on purpose, for the overflow tests of every platform.

namespace cte_test {

// Recurses until the stack runs out (the limit is never reached); the volatile array keeps
// every frame real.
inline volatile int recursion_limit = 1 << 30;
[[gnu::noinline]] inline int run_off_the_stack(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth >= recursion_limit) return frame[0];
  return run_off_the_stack(depth + 1) + frame[0];
}

}  // namespace cte_test
