// Runs the AVX preemption test (x86_64_avx_preemption_test.cpp, built with -mavx2) if the CPU
// and the OS support AVX2 (with zmm registers where AVX-512 is there too); otherwise says why
// and exits with ctest's skip code. This file is built without -mavx2, so nothing here
// executes an AVX instruction.

#include <cstdio>

int cte_test_avx_preemption(bool avx512);

int main() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2")) {
    std::puts("SKIPPED: this CPU (or the OS: XCR0) has no AVX2; the AVX preemption test needs ymm registers");
    return 77;
  }
  return cte_test_avx_preemption(__builtin_cpu_supports("avx512f"));
}
