#pragma once
// A tiny test runner for bare-metal images (no Catch2, no libc, no heap): a registry of cases
// filled by static constructors (so .init_array must work), CHECK/REQUIRE, SKIP, and a main
// (runner_main.cpp) that runs every case, prints each one, ends with the line
// "N passed, N failed" and returns 0 iff nothing failed (the board's exit status).

#include <cte/cte.hpp>

#include <cstdint>

namespace cte_bm {

using TestFunction = void (*)();

struct Registry {
  static constexpr int capacity = 128;
  struct Case {
    const char *name;
    TestFunction run;
  };
  static inline Case cases[capacity];
  static inline int count = 0;
  // State of the case now running.
  static inline int failed_checks = 0;
  static inline const char *skip_reason = nullptr;
};

struct Registrar {
  Registrar(const char *name, TestFunction run) {
    if (Registry::count < Registry::capacity) Registry::cases[Registry::count++] = {name, run};
  }
};

inline void print(const char *text) { cte::putstr(text); }
inline void print_dec(std::uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  while (count) cte::putch(digits[--count]);
}
inline void print_hex(std::uint64_t value) {
  print("0x");
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const unsigned digit = (value >> shift) & 0xf;
    if (digit || started || shift == 0) {
      cte::putch("0123456789abcdef"[digit]);
      started = true;
    }
  }
}

inline void check_failed(const char *expression, const char *file, int line) {
  ++Registry::failed_checks;
  print("    CHECK failed: ");
  print(file);
  print(":");
  print_dec(static_cast<std::uint64_t>(line));
  print(": ");
  print(expression);
  print("\n");
}

inline void check_equal_failed(const char *expression, std::uint64_t left, std::uint64_t right, const char *file,
                               int line) {
  check_failed(expression, file, line);
  print("      left ");
  print_hex(left);
  print(", right ");
  print_hex(right);
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
#define CTE_BM_TEST_CASE_(name, id)                                                                 \
  static void CTE_BM_CONCAT(cte_bm_case_, id)();                                                   \
  static ::cte_bm::Registrar CTE_BM_CONCAT(cte_bm_registrar_, id)(name, &CTE_BM_CONCAT(cte_bm_case_, id)); \
  static void CTE_BM_CONCAT(cte_bm_case_, id)()
#define TEST_CASE(name) CTE_BM_TEST_CASE_(name, __COUNTER__)

#define CHECK(expression) ((expression) ? (void)0 : ::cte_bm::check_failed(#expression, __FILE__, __LINE__))
#define REQUIRE(expression)                                            \
  do {                                                                 \
    if (!(expression)) {                                               \
      ::cte_bm::check_failed(#expression, __FILE__, __LINE__);         \
      return;                                                          \
    }                                                                  \
  } while (0)
#define CHECK_EQ(left, right)                                                                                  \
  ((void)::cte_bm::check_equal(static_cast<std::uint64_t>(left), static_cast<std::uint64_t>(right),         \
                               #left " == " #right, __FILE__, __LINE__))
#define REQUIRE_EQ(left, right)                                                                              \
  do {                                                                                                       \
    if (!::cte_bm::check_equal(static_cast<std::uint64_t>(left), static_cast<std::uint64_t>(right),         \
                               #left " == " #right, __FILE__, __LINE__))                                    \
      return;                                                                                                \
  } while (0)
#define SKIP(reason)          \
  do {                        \
    ::cte_bm::skip(reason);   \
    return;                   \
  } while (0)
