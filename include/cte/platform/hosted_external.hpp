#pragma once
// External interrupts from other host threads: the hosted analogue of a device raising a line
// or a VMM kicking a vCPU. One line per process, targeting the kernel thread.
//
// The handshake is a single state word. Every transition is a compare-and-swap from one named
// state to another, so a raiser never has to guess whether the kernel "already ran":
//
//   not_started --attach--> idle            (cte_init on the kernel thread)
//   idle        --raise---> raised          (raiser: payload written, signal sent)
//   raised      --take----> taken           (kernel thread's signal handler: interrupt pending)
//   raised      --withdraw> idle            (raiser timed out before the kernel took it)
//   taken       --handled-> handled         (the handler returned from the irq_external event)
//   handled     --collect-> idle            (raiser reads the outcome: RaiseResult::handled)
//   any         --detach--> finished        (the kernel thread ended; a raised or taken payload
//                                            was never handled: RaiseResult::finished)
//   finished    --attach--> idle            (a new kernel thread)

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

namespace cte::hosted {

enum class LineState : std::uint32_t { not_started, idle, raised, taken, handled, finished };

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
      if (now == LineState::handled) {
        LineState collected = LineState::handled;
        state_.compare_exchange_strong(collected, LineState::idle, std::memory_order_acq_rel);
        return RaiseResult::handled;  // a detach racing us here still leaves it handled
      }
      if (now == LineState::finished) return RaiseResult::finished;
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
    LineState expected = state_.load(std::memory_order_acquire);
    while ((expected == LineState::not_started || expected == LineState::finished) &&
           !state_.compare_exchange_weak(expected, LineState::idle, std::memory_order_acq_rel)) {
    }
  }
  // The kernel thread is ending: whatever was raised or taken will never be handled.
  void detach() { state_.store(LineState::finished, std::memory_order_release); }

  // Signal handler on the kernel thread: raised -> taken. Returns the payload if it took one.
  bool take(std::uint64_t &payload) {
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
