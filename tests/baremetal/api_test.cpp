// The CTE API, what only a board shows: the raw cause of a voluntary trap is the mode's ecall
// cause. (Everything else of the API: tests/shared/api_test.cpp, run on every platform.)

#include <cte/cte.hpp>

#include <cstdint>

#include "support/cte_test.hpp"

namespace {
std::uint64_t yield_cause = 0, syscall_cause = 0;
cte::Context *record_causes(cte::Event event, cte::Context *context) {
  (event.kind == cte::EventKind::yield ? yield_cause : syscall_cause) = event.cause;
  return context;
}
}  // namespace

CTE_TEST_CASE("yield and syscall are recorded as an ecall from the kernel's mode (M: 11, S: 9)") {
  cte::cte_init(record_causes);
  cte::yield();
  cte::syscall(1);
  CTE_CHECK_EQ(yield_cause, cte::TargetPlatform::Mode::ecall_cause);
  CTE_CHECK_EQ(syscall_cause, cte::TargetPlatform::Mode::ecall_cause);
}
