#pragma once
// Output of the bare-metal bench: a table row and a machine-readable line per measurement,
// pass/fail checks, and the closing "N passed, N failed" line (no libc: cte::putstr/putch).

#include <cte/cte.hpp>

#include <cstdint>

#include "counters.hpp"

namespace cte_bench {

inline void print(const char *text) { cte::putstr(text); }
inline void print_signed(std::int64_t value) {
  if (value < 0) cte::putch('-');
  const std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  cte::putdec(magnitude);
}
// Right-aligned in `width` columns.
inline void print_column(std::int64_t value, int width) {
  int digits = value < 0 ? 2 : 1;
  for (std::int64_t rest = value < 0 ? -value : value; rest >= 10; rest /= 10) ++digits;
  for (; digits < width; ++digits) cte::putch(' ');
  print_signed(value);
}
inline void print_padded(const char *text, int width) {
  int length = 0;
  for (const char *p = text; *p; ++p) ++length;
  print(text);
  for (; length < width; ++length) cte::putch(' ');
}

inline void print_table_header() {
  print("measurement                  instr min  instr median  cycles min  cycles median  samples\n");
}

// One measurement: its table row now; its machine-readable line is printed by print_bench_line
// (all of them after the table, so the table stays readable).
template <int Capacity>
void print_row(const char *name, const Samples<Capacity> &samples) {
  const Interval minimum = samples.minimum(), median = samples.median();
  print_padded(name, 27);
  print_column(minimum.instructions, 11);
  print_column(median.instructions, 14);
  print_column(minimum.cycles, 12);
  print_column(median.cycles, 15);
  print_column(samples.count, 9);
  print("\n");
}
template <int Capacity>
void print_bench_line(const char *name, const Samples<Capacity> &samples) {
  const Interval minimum = samples.minimum(), median = samples.median();
  print("bench ");
  print(name);
  print(" instructions=");
  print_signed(median.instructions);
  print(" cycles=");
  print_signed(median.cycles);
  print(" min_instructions=");
  print_signed(minimum.instructions);
  print(" min_cycles=");
  print_signed(minimum.cycles);
  print(" samples=");
  print_signed(samples.count);
  print("\n");
}

// Checks: targets and sanity conditions. Each prints one line.
struct Checks {
  int passed = 0;
  int failed = 0;
  void check(bool ok, const char *what) {
    print(ok ? "check ok: " : "check FAILED: ");
    print(what);
    print("\n");
    ++(ok ? passed : failed);
  }
  void print_summary() const {
    print_signed(passed);
    print(" passed, ");
    print_signed(failed);
    print(" failed\n");
  }
};

}  // namespace cte_bench
