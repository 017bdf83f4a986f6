// A second translation unit that includes cte and uses the trap stubs, so the test binary
// links cte's header-only assembly from several objects: duplicates would fail the link.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

namespace {
int handled = 0;
cte::Context *count(cte::Event, cte::Context *context) {
  ++handled;
  return context;
}
}  // namespace

TEST_CASE("header-only: a second translation unit uses the same stubs") {
  cte::cte_init(count);
  cte::yield();
  cte::syscall(1);
  CHECK(handled == 2);
}
