// Issue 14: a thread that spends nearly all its time in shared-library code must still be
// preempted. Its loop copies, fills and measures a few KiB with libc (memcpy, memset, strlen:
// most of its time is inside libc, where a tick is held) and does a little work of its own
// (own_work bytes summed: with 16, about a tenth of its time), the timer ticks every period, and the
// handler counts the ticks it receives and how long after the tick each came (the tick's time
// is known: ITIMER_REAL fires at start + k * period). Prints ticks raised, delivered and the
// latency distribution; passes if at least min_percent of the raised ticks were delivered
// (without the re-check of a held tick, only the ticks that happen to land outside libc are
// taken: one or two in a hundred; tests/reliability/CMakeLists.txt has the bounds).
//
//   cte_libc_preemption [period_us [ticks [min_percent [own_work]]]]

#include <cte/cte.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point start;
std::uint64_t period_ns = 0;
std::vector<std::uint64_t> latencies_ns;
long delivered = 0;

cte::Context *count_ticks(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::irq_timer) return context;
  const auto since_start = static_cast<std::uint64_t>((Clock::now() - start).count());
  if (latencies_ns.size() < latencies_ns.capacity()) latencies_ns.push_back(since_start % period_ns);
  ++delivered;
  return context;
}

std::uint64_t percentile(std::vector<std::uint64_t> &values, unsigned percent) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[(values.size() - 1) * percent / 100];
}

}  // namespace

int main(int argc, char **argv) {
  const std::uint64_t period_us = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000;
  const long ticks = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 200;
  const long min_percent = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 20;
  period_ns = period_us * 1000;
  latencies_ns.reserve(static_cast<std::size_t>(ticks) + 16);

  static char source[4096], destination[4096];
  static volatile std::size_t copy_size = sizeof destination, fill_size = 2048;
  const std::size_t own_work = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 16;
  std::memset(source, 'a', sizeof source - 1);
  cte::cte_init(count_ticks);
  cte::iset(true);
  start = Clock::now();
  if (!cte::timer::start(period_us)) {
    std::printf("libc-preemption: the timer refused %llu us\n", static_cast<unsigned long long>(period_us));
    return 1;
  }
  const auto duration = std::chrono::microseconds(period_us * static_cast<std::uint64_t>(ticks));
  std::size_t checksum = 0;
  long rounds = 0;
  while (Clock::now() - start < duration) {
    for (int i = 0; i < 64; ++i) {  // the clock read above is a vDSO call too: amortised here
      // Sizes the compiler cannot see, so that these are calls into libc, not inlined copies.
      std::memcpy(destination, source, copy_size);
      std::memset(destination + 1024, 'b' + (i & 7), fill_size);
      destination[sizeof destination - 1] = 0;
      checksum += std::strlen(destination);
      for (std::size_t k = 0; k < own_work; ++k)
        checksum += static_cast<unsigned char>(destination[k]) * k;  // own code
    }
    ++rounds;
  }
  cte::timer::stop();
  cte::iset(false);
  const auto elapsed_ns = static_cast<std::uint64_t>((Clock::now() - start).count());
  const auto raised = static_cast<long>(elapsed_ns / period_ns);
  const long percent = raised ? delivered * 100 / raised : 0;
  std::printf("libc-preemption: period %llu us, %ld ticks raised, %ld delivered (%ld%%), %ld rounds (checksum %zu)\n",
              static_cast<unsigned long long>(period_us), raised, delivered, percent, rounds, checksum);
  std::printf("libc-preemption: latency after the tick: p50 %llu us, p90 %llu us, p99 %llu us, max %llu us\n",
              static_cast<unsigned long long>(percentile(latencies_ns, 50) / 1000),
              static_cast<unsigned long long>(percentile(latencies_ns, 90) / 1000),
              static_cast<unsigned long long>(percentile(latencies_ns, 99) / 1000),
              static_cast<unsigned long long>(percentile(latencies_ns, 100) / 1000));
  const bool ok = raised > 0 && percent >= min_percent;
  std::printf("libc-preemption: %s (at least %ld%% delivered)\n", ok ? "ok" : "FAILED", min_percent);
  return ok ? 0 : 1;
}
