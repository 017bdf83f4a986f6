// Yield-plus-preemption torture: kcontext threads alternate between computing with a pattern
// in every register (all GPRs but the stack pointer, every FP register; bare metal: fcsr too)
// and bursts of yields with a pattern in every callee-saved register, while a fast timer tick
// preempts them wherever they are: in the compute loop, in a yield stub, in the dispatcher or
// the restore path on the way back from a yield. Every register must come back, and both kinds
// of preemption must have happened often.

#include <cte/cte.hpp>

#include <cstdint>

#include <register_check.hpp>
#include <trap_probes.hpp>

#include "support/cte_test.hpp"

namespace {
constexpr int thread_count = 3;
constexpr long target_ticks = 100000;
constexpr long target_yields = 1000000;
// A compute phase is hold_iterations turns of the probe's loop. How long that takes next to a
// burst of yields differs by orders of magnitude between platforms, so the threads adjust it
// as they go: between min and max, doubled or halved until between a fifth and a half of the
// ticks find a thread computing (yields, the subject, keep most of the time). Short rounds
// still complete in the small slices a loaded emulator leaves between ticks.
constexpr std::uint64_t min_hold_iterations = 64, max_hold_iterations = std::uint64_t{1} << 20;
constexpr long rounds_per_adjustment = 64;
constexpr long min_ticks_per_adjustment = 100;
constexpr int yields_per_burst = 8;
// Every tick moves to the next thread; a yield does so every 4th time and otherwise resumes
// the thread that yielded (a switch of stacks costs much more than a yield on some platforms:
// on the riscv64 board in M-mode it moves the PMP stack guard, which flushes QEMU's TLB).
constexpr long yields_per_switch = 4;
// The tick period, set by the build: fast natively, slower where a tick costs more (qemu-user
// takes a signal only at a translation-block boundary; the M-mode board moves its PMP guard).
constexpr std::uint64_t tick_us = CTE_TEST_TORTURE_TICK_US;

enum Phase { computing, yielding };

cte::Context *threads[thread_count];
cte::Context *boot = nullptr;
int current = -1;  // -1: the boot context runs
volatile int phase[thread_count];
volatile bool done = false;
// Written by the handler only (the threads read the two tick kinds).
long ticks = 0, yields = 0, unexpected_events = 0;
volatile long ticks_computing = 0, ticks_yielding = 0;
// Written by the threads.
volatile long corrupted_words = 0;
volatile std::uint64_t corrupted_callee_saved = 0;
volatile long rounds = 0;
volatile std::uint64_t hold_iterations = min_hold_iterations;

cte::Context *schedule(cte::Event event, cte::Context *context) {
  const bool tick = event.kind == cte::EventKind::irq_timer;
  if (!tick && event.kind != cte::EventKind::yield) {
    ++unexpected_events;
    return context;
  }
  if (current < 0) {
    if (tick) return context;  // the boot context is not part of the rotation
    boot = context;            // boot starts the threads
    current = 0;
    return threads[0];
  }
  threads[current] = context;
  if (tick) {
    ++ticks;
    if (phase[current] == computing)
      ticks_computing = ticks_computing + 1;
    else
      ticks_yielding = ticks_yielding + 1;
  } else {
    ++yields;
  }
  if (!done && ticks >= target_ticks && yields >= target_yields) {
    done = true;
    cte::timer::stop();
  }
  if (done && !tick) {  // a thread saw done (or yielded after it): back to boot
    current = -1;
    return boot;
  }
  if (!tick && yields % yields_per_switch != 0) return context;
  current = (current + 1) % thread_count;
  return threads[current];
}

std::uint64_t pattern_bits(int thread, long round, unsigned word) {
  return (static_cast<std::uint64_t>(thread + 1) << 56) ^ (static_cast<std::uint64_t>(round) << 16) ^ (word * 0x9e37u) ^
         0x5a5a;
}

void do_yield(void *) { cte::yield(); }

// From the ticks since the last adjustment (at least min_ticks_per_adjustment of them).
long computing_seen = 0, yielding_seen = 0;  // ticks of each kind at the last adjustment
void adjust_hold_iterations() {
  const long computing_ticks = ticks_computing - computing_seen, yielding_ticks = ticks_yielding - yielding_seen;
  if (computing_ticks + yielding_ticks < min_ticks_per_adjustment) return;
  computing_seen += computing_ticks;
  yielding_seen += yielding_ticks;
  const std::uint64_t hold = hold_iterations;
  if (4 * computing_ticks < yielding_ticks && hold < max_hold_iterations) hold_iterations = 2 * hold;
  if (computing_ticks > yielding_ticks && hold > min_hold_iterations) hold_iterations = hold / 2;
}

void torture_thread(void *index_pointer) {
  const int index = static_cast<int>(reinterpret_cast<std::uintptr_t>(index_pointer));
  std::uint64_t table[cte_test::held_words];
  std::uint64_t seed = static_cast<std::uint64_t>(index) << 40;
  for (long round = 0;; ++round) {
    phase[index] = computing;
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      table[w] = cte_test::held_pattern(w, pattern_bits(index, round, w));
    cte_test_hold_registers(table, hold_iterations);
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      if (table[w] != cte_test::held_pattern(w, pattern_bits(index, round, w))) corrupted_words = corrupted_words + 1;
    phase[index] = yielding;
    for (int y = 0; y < yields_per_burst; ++y)
      corrupted_callee_saved = corrupted_callee_saved | cte_test_call_with_patterns(do_yield, nullptr, ++seed);
    rounds = rounds + 1;
    if (rounds % rounds_per_adjustment == 0) adjust_hold_iterations();
    if (done) {
      cte::iset(false);  // no more ticks for this thread: hand over to boot
      cte::yield();
    }
  }
}

cte_test::StaticStack<cte_test::thread_stack_size> stacks[thread_count];

void print_count(const char *label, long value) {
  cte::putstr(label);
  cte::putdec(static_cast<std::uint64_t>(value));
}
}  // namespace

CTE_TEST_CASE("preemption torture: threads that compute and yield under a fast tick keep every register") {
  for (int i = 0; i < thread_count; ++i) {
    threads[i] =
        cte::kcontext(stacks[i].area(), torture_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
    phase[i] = computing;
  }
  current = -1;
  done = false;
  ticks = yields = unexpected_events = 0;
  ticks_computing = 0;
  ticks_yielding = 0;
  corrupted_words = 0;
  corrupted_callee_saved = 0;
  rounds = 0;
  hold_iterations = min_hold_iterations;
  computing_seen = yielding_seen = 0;
  cte::cte_init(schedule);
  cte::iset(false);
  CTE_REQUIRE(cte::timer::start(tick_us));
  cte::yield();  // runs the threads (they start with interrupts enabled) until done
  cte::timer::stop();
  print_count("    torture: ", ticks);
  print_count(" ticks (", ticks_computing);
  print_count(" while computing, ", ticks_yielding);
  print_count(" while yielding), ", yields);
  print_count(" yields, ", rounds);
  print_count(" rounds; tick ", static_cast<long>(tick_us));
  print_count(" us, compute phase ", static_cast<long>(hold_iterations));
  cte::putstr(" turns\n");
  CTE_CHECK(ticks >= target_ticks);
  CTE_CHECK(yields >= target_yields);
  // Both kinds of preemption happened, many times.
  CTE_CHECK(ticks_computing >= ticks / 10);
  CTE_CHECK(ticks_yielding >= ticks / 10);
  CTE_CHECK_EQ(corrupted_words, 0);
  CTE_CHECK_EQ(corrupted_callee_saved, 0u);
  CTE_CHECK_EQ(unexpected_events, 0);
  CTE_CHECK(rounds > 10 * thread_count);
}
