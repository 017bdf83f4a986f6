// Issue 14, item "syscall(-1) / syscall(-2) collide with the library's own traps": every
// system-call number reaches the handler as a syscall and gets its return value back, and
// yield / thread exit are still told apart from every one of them. Shared with the bare-metal
// runner (CTE_TEST_CASE), so the boards' voluntary-trap stubs are held to the same rule.

#include "support/cte_test.hpp"

namespace {

struct SeenSyscall {
  cte::EventKind kind = cte::EventKind::none;
  cte::EventKind redecoded = cte::EventKind::none;
  std::uintptr_t number = 0;
};
SeenSyscall seen;

// Answers a syscall with its number turned around, so the return value is checked too.
cte::Context *answer_syscall(cte::Event event, cte::Context *context) {
  seen.kind = event.kind;
  seen.redecoded = cte::TargetIsa::decode(context->frame()).kind;
  seen.number = context->syscall_number();
  if (event.kind == cte::EventKind::syscall) context->set_return(~context->syscall_number());
  return context;
}

}  // namespace

CTE_TEST_CASE("reliability: every syscall number round-trips as a syscall, the library's markers included") {
  cte::cte_init(answer_syscall);
  const std::uintptr_t all_ones = ~std::uintptr_t{0};
  const std::uintptr_t numbers[] = {0, 1, 0x80, 0x81, 0x82, all_ones, all_ones - 1, all_ones - 2, all_ones >> 1};
  for (const std::uintptr_t number : numbers) {
    seen = {};
    const std::uintptr_t result = cte::syscall(number, 1, 2, 3, 4, 5, 6);
    CTE_CHECK(seen.kind == cte::EventKind::syscall);
    CTE_CHECK(seen.redecoded == cte::EventKind::syscall);
    CTE_CHECK_EQ(seen.number, number);
    CTE_CHECK_EQ(result, ~number);
  }
  // And a yield is still a yield.
  seen = {};
  cte::yield();
  CTE_CHECK(seen.kind == cte::EventKind::yield);
  CTE_CHECK(seen.redecoded == cte::EventKind::yield);
}
