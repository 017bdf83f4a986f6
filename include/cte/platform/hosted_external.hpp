#pragma once
// External interrupts from other host threads: the hosted analogue of a device raising a line
// or a VMM kicking a vCPU. One line per process, targeting the kernel thread.
//
// The handshake is a single state word. Every transition is a compare-and-swap from one named
// state to another, so a raiser never has to guess whether the kernel "already ran":
//
//   not_started --attach--> idle            (cte_init on the kernel thread)
//   idle        --raise---> raised          (raiser: payload written, signal sent)
//   raised      --take----> taken           (kernel thread, when it can run the handler now:
//                                            interrupts enabled, in its own code; until then
//                                            the line stays raised, like a level-triggered IRQ)
//   raised      --withdraw> idle            (raiser timed out before the kernel took it)
//   taken       --handled-> handled         (the handler returned from the irq_external event)
//   handled     --collect-> idle            (raiser reads the outcome: RaiseResult::handled)
//   idle, raised, taken --detach--> finished   (the kernel thread ended; a raised or taken
//                                            payload was never handled: RaiseResult::finished)
//   handled     --detach--> handled_then_finished  (the outcome is kept for the raiser)
//   handled_then_finished --collect--> finished    (RaiseResult::handled)
//   not_started, finished --attach--> idle  (a new kernel thread; it waits for an outcome
//                                            still to be collected)

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

#include <cte/detail/sanitizer.hpp>

namespace cte::hosted {

enum class LineState : std::uint32_t { not_started, idle, raised, taken, handled, finished, handled_then_finished };

enum class RaiseResult : std::uint8_t {
  handled,      // the kernel's handler ran for this payload and returned
  not_started,  // no kernel thread has attached yet: nothing was delivered
  finished,     // the kernel thread ended before handling it: nothing was delivered
  timed_out,    // the kernel kept interrupts off (or never left libc) for the whole timeout: withdrawn
};

constexpr const char *to_string(RaiseResult result) {
  switch (result) {
    case RaiseResult::handled: return "handled";
    case RaiseResult::not_started: return "not_started";
    case RaiseResult::finished: return "finished";
    case RaiseResult::timed_out: return "timed_out";
  }
  return "unknown";
}

class ExternalLine {
 public:
  // The real-time signal that carries a raise to the kernel thread.
  static int signal_number() { return SIGRTMIN + 1; }

  // --- raiser side (any host thread except the kernel thread)

  // Delivers irq_external with `payload` as its cause and waits until the handler has run for
  // it (or the kernel thread is absent, or `timeout` passes without the kernel taking it).
  // Raisers are serialised; the kernel thread must not raise to itself.
  RaiseResult raise(std::uint64_t payload, std::chrono::microseconds timeout = std::chrono::seconds(10)) {
    cte::detail::refuse_under_thread_sanitizer();
    const std::lock_guard<std::mutex> one_raiser(raisers_);
    LineState expected = LineState::idle;
    payload_.store(payload, std::memory_order_relaxed);
    if (!state_.compare_exchange_strong(expected, LineState::raised, std::memory_order_acq_rel)) {
      return expected == LineState::not_started ? RaiseResult::not_started : RaiseResult::finished;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto next_signal = std::chrono::steady_clock::now();
    for (;;) {
      const LineState now = state_.load(std::memory_order_acquire);
      if (now == LineState::handled || now == LineState::handled_then_finished) {
        LineState collected = now;
        if (!state_.compare_exchange_strong(collected,
                                            now == LineState::handled ? LineState::idle : LineState::finished,
                                            std::memory_order_acq_rel))
          continue;  // the kernel detached in between: collect from the new state
        return RaiseResult::handled;
      }
      if (now == LineState::finished) return RaiseResult::finished;
      // taken: the handler is running right now; handled follows without waiting on anything.
      const auto clock = std::chrono::steady_clock::now();
      if (now == LineState::raised) {
        if (clock >= deadline) {
          LineState withdrawn = LineState::raised;
          if (state_.compare_exchange_strong(withdrawn, LineState::idle, std::memory_order_acq_rel))
            return RaiseResult::timed_out;
          continue;  // taken meanwhile: it will be handled (or the thread finishes)
        }
        // The kernel may be in libc or have interrupts off: the signal is re-sent, never lost.
        if (clock >= next_signal) {
          ::syscall(SYS_tgkill, ::getpid(), kernel_tid_.load(std::memory_order_acquire), signal_number());
          next_signal = clock + std::chrono::milliseconds(1);
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }

  LineState state() const { return state_.load(std::memory_order_acquire); }

  // --- kernel side

  // The calling thread becomes the target (cte_init does this).
  void attach() {
    kernel_tid_.store(static_cast<pid_t>(::syscall(SYS_gettid)), std::memory_order_release);
    for (;;) {
      LineState expected = state_.load(std::memory_order_acquire);
      if (expected == LineState::handled_then_finished) {  // the last raiser has not collected yet
        std::this_thread::yield();
        continue;
      }
      if (expected != LineState::not_started && expected != LineState::finished) return;  // already attached
      if (state_.compare_exchange_weak(expected, LineState::idle, std::memory_order_acq_rel)) return;
    }
  }
  // The kernel thread is ending: whatever was raised or taken will never be handled; a
  // handled outcome stays readable for its raiser.
  void detach() {
    LineState expected = state_.load(std::memory_order_acquire);
    for (;;) {
      const LineState next = expected == LineState::handled ? LineState::handled_then_finished : LineState::finished;
      if (expected == LineState::handled_then_finished || expected == LineState::finished) return;
      if (state_.compare_exchange_weak(expected, next, std::memory_order_acq_rel)) return;
    }
  }

  // Kernel thread, about to run the handler for it: raised -> taken. False if not raised.
  bool take(std::uint64_t &payload) {
    // Every resume of a Context with interrupts enabled asks; the line is almost never raised.
    // A plain load answers that without the locked compare-and-swap (which costs about as
    // much as the rest of a yield's dispatch). A raise that lands just after the load is no
    // different from one that lands just after a failed compare-and-swap: its signal
    // delivers it (and the raiser re-sends the signal until the line is taken).
    if (state_.load(std::memory_order_relaxed) != LineState::raised) return false;
    LineState expected = LineState::raised;
    if (!state_.compare_exchange_strong(expected, LineState::taken, std::memory_order_acq_rel)) return false;
    payload = payload_.load(std::memory_order_relaxed);
    return true;
  }
  // After the handler returned from the irq_external event: taken -> handled.
  void mark_handled() {
    LineState expected = LineState::taken;
    state_.compare_exchange_strong(expected, LineState::handled, std::memory_order_acq_rel);
  }

 private:
  std::atomic<LineState> state_{LineState::not_started};
  std::atomic<std::uint64_t> payload_{0};
  std::atomic<pid_t> kernel_tid_{0};
  std::mutex raisers_;
  static_assert(std::atomic<LineState>::is_always_lock_free);
};

// The process's external interrupt line.
inline ExternalLine &external_line() {
  static ExternalLine line;
  return line;
}

}  // namespace cte::hosted
