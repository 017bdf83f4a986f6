#pragma once
// A minimal round-robin kernel for tests: the handler is the scheduler. The boot context
// (the test's own thread) is parked when it yields first and resumed once every thread has
// called finish().

#include <cte/cte.hpp>

#include <vector>

namespace cte_test {

struct RoundRobin {
  static inline std::vector<cte::Context *> threads;
  static inline cte::Context *boot = nullptr;
  static inline int current = -1;  // -1: the boot context runs
  static inline bool finished = false;
  static inline long switches = 0;
  static inline long boot_resumes = 0;

  static void reset() {
    threads.clear();
    boot = nullptr;
    current = -1;
    finished = false;
    switches = 0;
    boot_resumes = 0;
  }

  static cte::Context *handler(cte::Event event, cte::Context *context) {
    if (event.kind != cte::EventKind::yield) return context;
    if (current < 0)
      boot = context;
    else
      threads[static_cast<std::size_t>(current)] = context;
    if (finished) {
      current = -1;
      ++boot_resumes;
      return boot;
    }
    ++switches;
    current = (current + 1) % static_cast<int>(threads.size());
    return threads[static_cast<std::size_t>(current)];
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
