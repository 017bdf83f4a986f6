// External interrupts raised by other host threads: the one-state-word handshake, and its
// races (target not yet started, running, already finished, interrupts kept off).

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

using cte::hosted::ExternalLine;
using cte::hosted::LineState;
using cte::hosted::RaiseResult;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint64_t> payloads_seen;
std::atomic<long> handler_runs{0};
std::atomic<bool> handler_saw_disabled{false};

cte::Context *record_external(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_external) {
    payloads_seen.push_back(event.cause);
    if (!context->interrupts_enabled()) handler_saw_disabled = true;
    ++handler_runs;
  }
  return context;
}

// A kernel on its own host thread: cte_init makes it the target; it runs with interrupts
// enabled (or disabled, on request) until told to stop, then detaches.
class KernelThread {
 public:
  explicit KernelThread(bool interrupts_on = true) : interrupts_on_(interrupts_on) {
    thread_ = std::thread([this] {
      cte::cte_init(record_external);
      cte::iset(interrupts_on_.load());
      attached_ = true;
      while (!stop_) {
        const bool want = interrupts_on_.load();
        if (cte::ienabled() != want) cte::iset(want);
      }
      cte::iset(false);
      cte::hosted::detach_kernel_thread();
    });
    while (!attached_) std::this_thread::yield();
  }
  void set_interrupts(bool on) { interrupts_on_ = on; }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ~KernelThread() { finish(); }

 private:
  std::atomic<bool> interrupts_on_;
  std::atomic<bool> attached_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void reset() {
  payloads_seen.clear();
  handler_runs = 0;
  handler_saw_disabled = false;
}

}  // namespace

TEST_CASE("external line: raising before any kernel thread started delivers nothing") {
  ExternalLine line;
  CHECK(line.state() == LineState::not_started);
  CHECK(line.raise(7, 1ms) == RaiseResult::not_started);
  CHECK(line.state() == LineState::not_started);
}

TEST_CASE("external line: a running kernel handles 1000 raises, each exactly once, payload in cause") {
  reset();
  KernelThread kernel;
  for (std::uint64_t i = 1; i <= 1000; ++i) REQUIRE(cte::hosted::external_line().raise(i) == RaiseResult::handled);
  kernel.finish();
  REQUIRE(payloads_seen.size() == 1000);
  for (std::uint64_t i = 1; i <= 1000; ++i) CHECK(payloads_seen[i - 1] == i);
  CHECK_FALSE(handler_saw_disabled);
}

TEST_CASE("external line: after the kernel thread finished, raises report finished") {
  reset();
  {
    KernelThread kernel;
    kernel.finish();
  }
  CHECK(cte::hosted::external_line().state() == LineState::finished);
  CHECK(cte::hosted::external_line().raise(9, 1ms) == RaiseResult::finished);
  CHECK(handler_runs == 0);
}

TEST_CASE("external line: interrupts kept off -> the raise times out, is withdrawn, and never runs later") {
  reset();
  KernelThread kernel(false);
  CHECK(cte::hosted::external_line().raise(5, 20ms) == RaiseResult::timed_out);
  CHECK(cte::hosted::external_line().state() == LineState::idle);
  kernel.set_interrupts(true);
  std::this_thread::sleep_for(20ms);
  CHECK(handler_runs == 0);
  // A raise while disabled that the kernel takes once it enables interrupts is handled.
  kernel.set_interrupts(false);
  std::thread enabler([&kernel] {
    std::this_thread::sleep_for(10ms);
    kernel.set_interrupts(true);
  });
  CHECK(cte::hosted::external_line().raise(6) == RaiseResult::handled);
  enabler.join();
  kernel.finish();
  REQUIRE(payloads_seen.size() == 1);
  CHECK(payloads_seen[0] == 6);
  CHECK_FALSE(handler_saw_disabled);
}

TEST_CASE("external line: kernels starting and finishing while raises are in flight never fake a delivery") {
  reset();
  std::atomic<bool> stop_raising{false};
  std::atomic<long> handled_results{0}, other_results{0};
  std::thread raiser([&] {
    std::uint64_t payload = 1000;
    while (!stop_raising) {
      const RaiseResult result = cte::hosted::external_line().raise(payload++, 5ms);
      (result == RaiseResult::handled ? handled_results : other_results)++;
    }
  });
  for (int round = 0; round < 50; ++round) {
    KernelThread kernel;
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (round % 5)));
    kernel.finish();
  }
  stop_raising = true;
  raiser.join();
  // Every "handled" answer corresponds to one handler run, and no handler run went unreported.
  CHECK(handled_results == handler_runs);
  CHECK(handled_results + other_results > 0);
}
