// cte_soak: the hosted platform under everything at once, for a given duration. kcontext
// threads compute with a pattern in every register, yield with patterns in the callee-saved
// registers, execute an illegal instruction and read an inaccessible page (both stepped over
// by the handler); a timer tick preempts them anywhere and two host threads keep raising the
// external line. At the end it prints the events, switches and corrupted words and exits 0
// only if no register came back wrong, every raise was handled and every kind of event
// happened.
//
//   cte_soak [seconds] [tick_us]      (defaults: 3 s, 1000 us)

#include <cte/cte.hpp>

#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <register_check.hpp>
#include <trap_probes.hpp>

#include "support/static_stack.hpp"

namespace {

constexpr int thread_count = 3;
constexpr int raiser_count = 2;
constexpr std::uint64_t hold_iterations = 2000;
constexpr int yields_per_round = 4;

cte::Context *threads[thread_count];
cte::Context *boot = nullptr;
int current = -1;  // -1: the boot context runs
volatile bool done = false;
std::uint64_t deadline_ns = 0;
const volatile int *inaccessible = nullptr;

// Written by the handler.
long ticks = 0, externals = 0, yields = 0, illegal = 0, page_faults = 0, switches = 0, unexpected = 0;
// Written by the threads.
volatile long corrupted_words = 0, corrupted_callee_saved = 0, rounds = 0;
// Written by the raisers.
std::atomic<long> raised{0}, raise_failures{0};
std::atomic<bool> raisers_stop{false};

std::uint64_t now_ns() {
  timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u + static_cast<std::uint64_t>(now.tv_nsec);
}

cte::Context *next_thread() {
  current = (current + 1) % thread_count;
  ++switches;
  return threads[current];
}

cte::Context *schedule(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case cte::EventKind::illegal_instruction:
      ++illegal;
      if (!cte::skip_instruction(context)) ++unexpected;
      return context;
    case cte::EventKind::page_fault:
      ++page_faults;
      if (!cte::skip_instruction(context)) ++unexpected;
      return context;
    case cte::EventKind::irq_external: ++externals; return context;
    case cte::EventKind::irq_timer:
    case cte::EventKind::yield: break;
    default: ++unexpected; return context;
  }
  const bool tick = event.kind == cte::EventKind::irq_timer;
  if (current < 0) {
    if (tick) return context;  // the boot context is not part of the rotation
    boot = context;
    return next_thread();
  }
  threads[current] = context;
  if (tick) {
    ++ticks;
    if (!done && now_ns() >= deadline_ns) {
      done = true;
      cte::timer::stop();
    }
  } else {
    ++yields;
  }
  if (done && !tick) {  // a thread saw done: back to boot
    current = -1;
    return boot;
  }
  if (!tick && yields % 2 != 0) return context;  // every other yield resumes the same thread
  return next_thread();
}

std::uint64_t pattern_bits(int thread, long round, unsigned word) {
  return (static_cast<std::uint64_t>(thread + 1) << 56) ^ (static_cast<std::uint64_t>(round) << 16) ^ (word * 0x9e37u) ^
         0xa5a5;
}

void do_yield(void *) { cte::yield(); }

void soak_thread(void *index_pointer) {
  const int index = static_cast<int>(reinterpret_cast<std::uintptr_t>(index_pointer));
  std::uint64_t table[cte_test::held_words];
  std::uint64_t seed = static_cast<std::uint64_t>(index) << 40;
  for (long round = 0;; ++round) {
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      table[w] = cte_test::held_pattern(w, pattern_bits(index, round, w));
    cte_test_hold_registers(table, hold_iterations);
    for (unsigned w = 0; w < cte_test::held_words; ++w)
      if (table[w] != cte_test::held_pattern(w, pattern_bits(index, round, w))) corrupted_words = corrupted_words + 1;
    for (int y = 0; y < yields_per_round; ++y)
      corrupted_callee_saved =
          corrupted_callee_saved | static_cast<long>(cte_test_call_with_patterns(do_yield, nullptr, ++seed));
    if (round % 8 == 0) cte_test_illegal_instruction();
    if (round % 8 == 4) (void)*inaccessible;
    rounds = rounds + 1;
    if (done) {
      cte::iset(false);  // no more ticks for this thread: hand over to boot
      cte::yield();
    }
  }
}

void *raise_until_stopped(void *index_pointer) {
  const auto index = reinterpret_cast<std::uintptr_t>(index_pointer);
  for (std::uint64_t n = 0; !raisers_stop.load(std::memory_order_relaxed); ++n) {
    const auto result = cte::hosted::external_line().raise(0x100 + index * 0x1000 + (n & 0xfff));
    if (result == cte::hosted::RaiseResult::handled)
      raised.fetch_add(1, std::memory_order_relaxed);
    else if (!raisers_stop.load(std::memory_order_relaxed))
      raise_failures.fetch_add(1, std::memory_order_relaxed);
    ::usleep(200);
  }
  return nullptr;
}

cte_test::StaticStack<cte_test::thread_stack_size> stacks[thread_count];

}  // namespace

int main(int argc, char **argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const long tick_us = argc > 2 ? std::atol(argv[2]) : 1000;
  void *page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  inaccessible = static_cast<const volatile int *>(page);
  for (int i = 0; i < thread_count; ++i)
    threads[i] = cte::kcontext(stacks[i].area(), soak_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));

  cte::cte_init(schedule);
  cte::iset(false);
  pthread_t raisers[raiser_count];
  for (int i = 0; i < raiser_count; ++i)
    pthread_create(&raisers[i], nullptr, raise_until_stopped, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
  deadline_ns = now_ns() + static_cast<std::uint64_t>(seconds * 1e9);
  if (!cte::timer::start(static_cast<std::uint64_t>(tick_us))) return 2;
  cte::yield();  // runs the threads until the deadline
  cte::timer::stop();
  raisers_stop = true;
  // A raise in flight is taken once interrupts are enabled again.
  cte::iset(true);
  for (int i = 0; i < raiser_count; ++i) pthread_join(raisers[i], nullptr);
  cte::iset(false);

  std::printf(
      "soak: %.1f s, tick %ld us: %ld ticks, %ld external (%ld raises handled, %ld failed), %ld yields, "
      "%ld illegal instructions, %ld page faults, %ld switches, %ld rounds, %ld unexpected events; "
      "corrupted words %ld, callee-saved mask %#lx\n",
      seconds, tick_us, ticks, externals, raised.load(), raise_failures.load(), yields, illegal, page_faults, switches,
      static_cast<long>(rounds), unexpected, static_cast<long>(corrupted_words),
      static_cast<unsigned long>(corrupted_callee_saved));
  const bool clean = corrupted_words == 0 && corrupted_callee_saved == 0 && unexpected == 0 && raise_failures == 0 &&
                     raised.load() == externals;
  const bool busy = ticks > 0 && externals > 0 && yields > 0 && illegal > 0 && page_faults > 0;
  std::printf("soak: %s\n", clean && busy ? "ok" : clean ? "FAILED: some kind of event never happened" : "FAILED");
  return clean && busy ? 0 : 1;
}
