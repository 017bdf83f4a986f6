#pragma once
// Shared pieces of the bare-metal test cases: stacks (static memory: no heap), the platform
// timer, a round-robin kernel.

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdint>

#include "support/static_stack.hpp"

namespace cte_test {

template <std::size_t Size>
using Stack = StaticStack<Size>;

// The platform timer (time CSR: 10 MHz on QEMU virt), readable in M- and S-mode.
inline std::uint64_t now_ticks() {
  std::uint64_t value;
  asm volatile("rdtime %0" : "=r"(value));
  return value;
}
inline constexpr std::uint64_t ticks_per_us = 10;
inline void spin_us(std::uint64_t microseconds) {
  const std::uint64_t until = now_ticks() + microseconds * ticks_per_us;
  while (now_ticks() < until) {
  }
}

inline constexpr bool machine_mode = cte::TargetPlatform::machine_mode;

// A minimal round-robin kernel: the handler is the scheduler. The boot context is parked when it
// yields first and resumed once a thread called finish().
struct RoundRobin {
  static constexpr int capacity = 16;
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
  static void add(cte::Context *thread) { threads[thread_count++] = thread; }

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
