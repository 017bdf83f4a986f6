// The runner runs every case an image registers, however many: 200 cases here (its registry
// once held 128 and silently dropped the rest). ctest wants "200 passed, 0 failed"; the last
// case checks that the 199 before it ran.

#include "support/cte_test.hpp"

namespace {
int cases_run = 0;
}  // namespace

#define CTE_COUNTING_CASE \
  CTE_TEST_CASE("counting case") { ++cases_run; }
#define CTE_COUNTING_CASES_10                                                                                 \
  CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE \
      CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE
#define CTE_COUNTING_CASES_50 \
  CTE_COUNTING_CASES_10 CTE_COUNTING_CASES_10 CTE_COUNTING_CASES_10 CTE_COUNTING_CASES_10 CTE_COUNTING_CASES_10

CTE_COUNTING_CASES_50
CTE_COUNTING_CASES_50
CTE_COUNTING_CASES_50
CTE_COUNTING_CASES_10
CTE_COUNTING_CASES_10
CTE_COUNTING_CASES_10
CTE_COUNTING_CASES_10
CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE
    CTE_COUNTING_CASE CTE_COUNTING_CASE CTE_COUNTING_CASE

    CTE_TEST_CASE("every case registered before this one ran, in registration order") {
  CTE_CHECK_EQ(cases_run, 199);
}
