// The CTE API, what only a board shows: the raw cause of a voluntary trap is the mode's ecall
// cause, and its pc is the return address of the call (cte::yield is always inlined there).
// (Everything else of the API: tests/shared/api_test.cpp, run on every platform.)

#include <cte/cte.hpp>

#include <cstdint>

#include "support/cte_test.hpp"

namespace {
std::uint64_t yield_cause = 0, syscall_cause = 0;
std::uintptr_t yield_pc = 0;
cte::Context *record_causes(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    yield_cause = event.cause;
    yield_pc = context->pc();
  } else {
    syscall_cause = event.cause;
  }
  return context;
}

// Yields from a known function (not a tail call: the asm after it keeps the call a call).
[[gnu::noinline]] void yield_from_here() {
  cte::yield();
  asm volatile("" ::: "memory");
}
}  // namespace

CTE_TEST_CASE("yield and syscall are an ecall from the kernel's mode (M: 11, S: 9), pc after the call") {
  cte::cte_init(record_causes);
  yield_from_here();
  cte::syscall(1);
  CTE_CHECK_EQ(yield_cause, cte::TargetPlatform::Mode::yield_cause);
  CTE_CHECK_EQ(syscall_cause, cte::TargetPlatform::Mode::syscall_cause);
  const auto caller = reinterpret_cast<std::uintptr_t>(&yield_from_here);
  CTE_CHECK(yield_pc > caller);
  CTE_CHECK(yield_pc < caller + 64);
}
