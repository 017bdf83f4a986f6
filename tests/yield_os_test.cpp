// yield-os: kcontext threads scheduled by the handler, the Abstract Machine way.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <memory>
#include <string>
#include <vector>

#include "support/round_robin.hpp"
#include "support/stacks.hpp"

using cte_test::RoundRobin;

namespace {
std::string trace;

void letter_thread(void *letter) {
  for (;;) {
    trace += *static_cast<const char *>(letter);
    if (trace.size() == 20) RoundRobin::finish();
    cte::yield();
  }
}
}  // namespace

TEST_CASE("yield-os: two kcontext threads alternate ABAB and the boot context is never resumed") {
  RoundRobin::reset();
  trace.clear();
  cte_test::Stack a, b;
  RoundRobin::threads = {cte::kcontext(a.area(), letter_thread, const_cast<char *>("A")),
                         cte::kcontext(b.area(), letter_thread, const_cast<char *>("B"))};
  RoundRobin::run();
  CHECK(trace == "ABABABABABABABABABAB");
  CHECK(RoundRobin::boot_resumes == 1);  // only when the threads were done
}

namespace {
constexpr long total_switches = 1000000;
constexpr int thread_count = 100;
std::vector<long> runs_per_thread;

void counting_thread(void *index) {
  auto &runs = runs_per_thread[reinterpret_cast<std::uintptr_t>(index)];
  for (;;) {
    ++runs;
    if (RoundRobin::switches >= total_switches) RoundRobin::finish();
    cte::yield();
  }
}
}  // namespace

TEST_CASE("10^6 yield switches across 100 kcontext threads") {
  RoundRobin::reset();
  runs_per_thread.assign(thread_count, 0);
  std::vector<std::unique_ptr<cte_test::Stack>> stacks;
  for (int i = 0; i < thread_count; ++i) {
    stacks.push_back(std::make_unique<cte_test::Stack>(cte::kcontext_min_stack + 4096));
    RoundRobin::threads.push_back(cte::kcontext(stacks.back()->area(), counting_thread, reinterpret_cast<void *>(i)));
  }
  RoundRobin::run();
  CHECK(RoundRobin::switches == total_switches);
  long total_runs = 0;
  for (long runs : runs_per_thread) {
    CHECK(runs >= total_switches / thread_count - 1);
    CHECK(runs <= total_switches / thread_count + 1);
    total_runs += runs;
  }
  CHECK(total_runs == total_switches);
}

namespace {
cte::Context *finished_event_boot = nullptr;
cte::Event finished_event;
bool returned_thread_started = false;

cte::Context *catch_returning_thread(cte::Event event, cte::Context *context) {
  if (!finished_event_boot) {
    finished_event_boot = context;
    return RoundRobin::threads[0];
  }
  finished_event = event;
  return finished_event_boot;
}

void returns_immediately(void *) { returned_thread_started = true; }
}  // namespace

TEST_CASE("a kcontext thread whose entry returns becomes an EventKind::error event") {
  RoundRobin::reset();
  cte_test::Stack stack;
  RoundRobin::threads = {cte::kcontext(stack.area(), returns_immediately, nullptr)};
  finished_event_boot = nullptr;
  cte::cte_init(catch_returning_thread);
  cte::yield();
  CHECK(returned_thread_started);
  CHECK(finished_event.kind == cte::EventKind::error);
  CHECK(std::string(finished_event.msg) == "kcontext thread returned from its entry function");
}

namespace {
cte::Context *ping_boot = nullptr;
cte::Context *ping_thread = nullptr;
bool in_thread = false;
int pongs = 0;

cte::Context *ping_pong(cte::Event, cte::Context *context) {
  (in_thread ? ping_thread : ping_boot) = context;
  in_thread = !in_thread;
  return in_thread ? ping_thread : ping_boot;
}

void pong(void *) {
  for (;;) {
    ++pongs;
    cte::yield();
  }
}
}  // namespace

TEST_CASE("a Context saved earlier is resumed again and again (boot <-> thread ping-pong)") {
  cte_test::Stack stack;
  ping_thread = cte::kcontext(stack.area(), pong, nullptr);
  pongs = 0;
  in_thread = false;
  cte::cte_init(ping_pong);
  for (int i = 1; i <= 1000; ++i) {
    cte::yield();
    REQUIRE(pongs == i);
  }
}
