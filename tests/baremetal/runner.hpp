#pragma once
// A tiny test runner for bare-metal images (no Catch2, no libc, no heap): a registry of cases
// filled by static constructors (so .init_array must work), the CTE_* checks of
// tests/support/cte_test.hpp, CTE_SKIP, and a main (runner_main.cpp) that runs every case,
// prints each one, ends with the line "N passed, N failed" and returns 0 iff nothing failed
// (the board's exit status). Test files include tests/support/cte_test.hpp, not this header.
//
// The registry is a list threaded through the registrars themselves (static objects), so it
// holds every case an image defines: there is no capacity to overflow.

#include <cte/cte.hpp>

#include <cstdint>

namespace cte_bm {

using TestFunction = void (*)();

struct Case {
  const char *name;
  TestFunction run;
  Case *next;
};

struct Registry {
  static inline Case *first = nullptr;
  static inline Case *last = nullptr;
  static inline int count = 0;
  // State of the case now running.
  static inline int failed_checks = 0;
  static inline const char *skip_reason = nullptr;

  static void add(Case &test) {  // appends: cases run in registration order
    (last ? last->next : first) = &test;
    last = &test;
    ++count;
  }
};

struct Registrar : Case {
  Registrar(const char *name, TestFunction run) : Case{name, run, nullptr} { Registry::add(*this); }
};

inline void print(const char *text) { cte::putstr(text); }

inline void check_failed(const char *expression, const char *file, int line) {
  ++Registry::failed_checks;
  print("    CHECK failed: ");
  print(file);
  print(":");
  cte::putdec(static_cast<std::uint64_t>(line));
  print(": ");
  print(expression);
  print("\n");
}

inline void check_equal_failed(const char *expression, std::uint64_t left, std::uint64_t right, const char *file,
                               int line) {
  check_failed(expression, file, line);
  print("      left ");
  cte::puthex(left);
  print(", right ");
  cte::puthex(right);
  print("\n");
}

// A case that does not apply (in this mode, on this board): says why, counts as skipped.
inline void skip(const char *reason) { Registry::skip_reason = reason; }

inline bool check_equal(std::uint64_t left, std::uint64_t right, const char *expression, const char *file, int line) {
  if (left == right) return true;
  check_equal_failed(expression, left, right, file, line);
  return false;
}

}  // namespace cte_bm

#define CTE_BM_CONCAT_(a, b) a##b
#define CTE_BM_CONCAT(a, b) CTE_BM_CONCAT_(a, b)
#define CTE_BM_TEST_CASE_(name, id)                                                                        \
  static void CTE_BM_CONCAT(cte_bm_case_, id)();                                                           \
  static ::cte_bm::Registrar CTE_BM_CONCAT(cte_bm_registrar_, id)(name, &CTE_BM_CONCAT(cte_bm_case_, id)); \
  static void CTE_BM_CONCAT(cte_bm_case_, id)()
#define CTE_TEST_CASE(name) CTE_BM_TEST_CASE_(name, __COUNTER__)

#define CTE_CHECK(expression) ((expression) ? (void)0 : ::cte_bm::check_failed(#expression, __FILE__, __LINE__))
#define CTE_REQUIRE(expression)                                \
  do {                                                         \
    if (!(expression)) {                                       \
      ::cte_bm::check_failed(#expression, __FILE__, __LINE__); \
      return;                                                  \
    }                                                          \
  } while (0)
#define CTE_CHECK_EQ(left, right)                                                                   \
  ((void)::cte_bm::check_equal(static_cast<std::uint64_t>(left), static_cast<std::uint64_t>(right), \
                               #left " == " #right, __FILE__, __LINE__))
#define CTE_REQUIRE_EQ(left, right)                                                                 \
  do {                                                                                              \
    if (!::cte_bm::check_equal(static_cast<std::uint64_t>(left), static_cast<std::uint64_t>(right), \
                               #left " == " #right, __FILE__, __LINE__))                            \
      return;                                                                                       \
  } while (0)
#define CTE_SKIP(reason)    \
  do {                      \
    ::cte_bm::skip(reason); \
    return;                 \
  } while (0)
