#pragma once
// A minimal round-robin kernel for tests: the handler is the scheduler. The boot context
// (the test's own thread) is parked when it yields first and resumed once a thread called
// finish(). Static memory only: usable on bare metal.

#include <cte/cte.hpp>

namespace cte_test {

struct RoundRobin {
  static constexpr int capacity = 128;
  static inline cte::Context *threads[capacity];
  static inline int thread_count = 0;
  static inline cte::Context *boot = nullptr;
  static inline int current = -1;  // -1: the boot context runs
  static inline bool finished = false;
  static inline long switches = 0;
  static inline long boot_resumes = 0;

  static void reset() {
    thread_count = 0;
    boot = nullptr;
    current = -1;
    finished = false;
    switches = 0;
    boot_resumes = 0;
  }
  // false when full (the test then fails its own check on the result).
  static bool add(cte::Context *thread) {
    if (thread_count == capacity) return false;
    threads[thread_count++] = thread;
    return true;
  }

  static cte::Context *handler(cte::Event event, cte::Context *context) {
    if (event.kind != cte::EventKind::yield) return context;
    if (current < 0)
      boot = context;
    else
      threads[current] = context;
    if (finished) {
      current = -1;
      ++boot_resumes;
      return boot;
    }
    ++switches;
    current = (current + 1) % thread_count;
    return threads[current];
  }

  // Runs the threads until one calls finish(); returns on the boot context.
  static void run() {
    cte::cte_init(handler);
    cte::yield();
  }
  static void finish() {
    finished = true;
    cte::yield();
  }
};

}  // namespace cte_test
