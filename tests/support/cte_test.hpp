#pragma once
// The one test framework of cte's suite: a test body written with these macros compiles
// unchanged under Catch2 (hosted, ctest runs each case) and under the bare-metal runner
// (tests/baremetal/runner.hpp: one image runs every case and prints "N passed, N failed").
//
//   CTE_TEST_CASE(name)        a test case
//   CTE_CHECK(expr)            records a failure and goes on
//   CTE_REQUIRE(expr)          records a failure and ends the case
//   CTE_CHECK_EQ(a, b)         integers; a failure shows both values
//   CTE_REQUIRE_EQ(a, b)
//
// The build says which: bare-metal test images define CTE_TEST_BARE_METAL. Output a case
// wants to show goes through cte::putstr / cte::putdec, which work on every platform.

#include <cte/cte.hpp>

#include <cstdint>

#include "static_stack.hpp"

#ifdef CTE_TEST_BARE_METAL
#include "../baremetal/runner.hpp"
namespace cte_test {
inline constexpr bool bare_metal = true;
}
#else
#include <catch2/catch.hpp>
#define CTE_TEST_CASE(name) TEST_CASE(name)
#define CTE_CHECK(expression) CHECK(expression)
#define CTE_REQUIRE(expression) REQUIRE(expression)
#define CTE_CHECK_EQ(left, right) CHECK((left) == (right))
#define CTE_REQUIRE_EQ(left, right) REQUIRE((left) == (right))
namespace cte_test {
inline constexpr bool bare_metal = false;
}
#endif

namespace cte_test {

// Text equality without libc.
inline bool same_text(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

}  // namespace cte_test
