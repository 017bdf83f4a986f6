// The CTE API, what only a board shows: the raw cause of a voluntary trap is the board's
// (TargetPlatform::Mode: riscv64 the mode's ecall, aarch64 the svc's ESR, pc the int vector),
// and its pc is in the yielding function, right after the yield (every board's yield is a call
// to a stub that records the return address).
// (Everything else of the API: tests/shared/api_test.cpp, run on every platform.)

#include <cte/cte.hpp>

#include <cstdint>

#include <trap_probes.hpp>

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

CTE_TEST_CASE("yield and syscall carry the board's causes (riscv64 ecall M: 11, S: 9)") {
  cte::cte_init(record_causes);
  yield_from_here();
  cte::syscall(1);
  CTE_CHECK_EQ(yield_cause, cte::TargetPlatform::Mode::yield_cause);
  CTE_CHECK_EQ(syscall_cause, cte::TargetPlatform::Mode::syscall_cause);
}

CTE_TEST_CASE("a yield's pc is in the yielding function, right after the yield") {
  cte::cte_init(record_causes);
  yield_pc = 0;
  yield_from_here();
  const auto caller = reinterpret_cast<std::uintptr_t>(&yield_from_here);
  CTE_CHECK(yield_pc > caller);
  CTE_CHECK(yield_pc < caller + 64);
}
