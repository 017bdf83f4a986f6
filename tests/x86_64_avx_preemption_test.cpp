// Preempted AVX code keeps its ymm registers (both halves): kcontext threads hold a pattern in
// ymm0-15 while a fast timer tick preempts them and switches threads, and between rounds they
// yield, so a thread preempted by a tick is resumed both through sigreturn (by another tick)
// and through the restore stub (by another thread's yield). Each thread's pattern differs in
// both halves of every register, so losing the upper halves, or getting another thread's, is
// seen. Built with -mavx2 (the compiler uses AVX for the test's own code too, as in any
// -march=native build); x86_64_avx_preemption_main.cpp skips it on CPUs without AVX2.

#include <cte/cte.hpp>

#include <cstdint>
#include <cstdio>

#include "support/static_stack.hpp"

namespace {

constexpr int thread_count = 3;
constexpr long target_ticks = 20000;
constexpr std::uint64_t tick_us = 20;
constexpr unsigned ymm_count = 16;
constexpr std::uint64_t hold_iterations = 50000;

struct alignas(32) YmmTable {
  std::uint64_t word[ymm_count][4];
};

// Loads ymm0-15 from `table`, spins `iterations` turns (preemptible anywhere), stores them back.
void hold_ymm(YmmTable &table, std::uint64_t iterations) {
  asm volatile(
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
      "  vmovdqu (\\r * 32)(%[table]), %%ymm\\r\n"
      ".endr\n"
      "1:\n"
      "  dec %[n]\n"
      "  jnz 1b\n"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
      "  vmovdqu %%ymm\\r, (\\r * 32)(%[table])\n"
      ".endr\n"
      "  vzeroupper\n"
      : [n] "+r"(iterations)
      : [table] "r"(&table)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

std::uint64_t pattern(int thread, long round, unsigned reg, unsigned lane) {
  return (0x9e3779b97f4a7c15ull * (static_cast<std::uint64_t>(round) + 1)) ^
         (static_cast<std::uint64_t>(thread + 1) << 56) ^ (static_cast<std::uint64_t>(reg) << 40) ^
         (static_cast<std::uint64_t>(lane + 1) << 32);
}

cte::Context *threads[thread_count];
cte::Context *boot = nullptr;
int current = -1;  // -1: the boot context runs
volatile bool holding[thread_count];
volatile bool done = false;
long ticks = 0, ticks_holding = 0, yields = 0, stub_resumes_of_preempted = 0, unexpected_events = 0;
volatile long corrupted_lower = 0, corrupted_upper = 0, rounds = 0;

bool asynchronous(const cte::Context *context) {
  return (context->frame().library.state & cte::frame_state::asynchronous) != 0;
}

cte::Context *schedule(cte::Event event, cte::Context *context) {
  const bool tick = event.kind == cte::EventKind::irq_timer;
  if (!tick && event.kind != cte::EventKind::yield) {
    ++unexpected_events;
    return context;
  }
  if (current < 0) {
    if (tick) return context;  // the boot context is not part of the rotation
    boot = context;
    current = 0;
    return threads[0];
  }
  threads[current] = context;
  if (tick) {
    ++ticks;
    if (holding[current]) ++ticks_holding;
  } else {
    ++yields;
  }
  if (!done && ticks >= target_ticks) {
    done = true;
    cte::timer::stop();
  }
  if (done && !tick) {  // a thread saw done: back to boot
    current = -1;
    return boot;
  }
  current = (current + 1) % thread_count;
  if (!tick && asynchronous(threads[current])) ++stub_resumes_of_preempted;
  return threads[current];
}

void avx_thread(void *index_pointer) {
  const int index = static_cast<int>(reinterpret_cast<std::uintptr_t>(index_pointer));
  YmmTable table;
  for (long round = 0;; ++round) {
    for (unsigned r = 0; r < ymm_count; ++r)
      for (unsigned lane = 0; lane < 4; ++lane) table.word[r][lane] = pattern(index, round, r, lane);
    holding[index] = true;
    hold_ymm(table, hold_iterations);
    holding[index] = false;
    for (unsigned r = 0; r < ymm_count; ++r)
      for (unsigned lane = 0; lane < 4; ++lane)
        if (table.word[r][lane] != pattern(index, round, r, lane)) {
          if (lane < 2)
            corrupted_lower = corrupted_lower + 1;
          else
            corrupted_upper = corrupted_upper + 1;
        }
    rounds = rounds + 1;
    if (done) cte::iset(false);  // no more ticks for this thread: the yield hands over to boot
    cte::yield();
  }
}

cte_test::StaticStack<cte_test::thread_stack_size> stacks[thread_count];

}  // namespace

int cte_test_avx_preemption() {
  for (int i = 0; i < thread_count; ++i)
    threads[i] = cte::kcontext(stacks[i].area(), avx_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
  cte::cte_init(schedule);
  cte::iset(false);
  if (!cte::timer::start(tick_us)) {
    std::puts("FAILED: timer::start refused the tick");
    return 1;
  }
  cte::yield();  // runs the threads until done
  cte::timer::stop();
  cte::iset(true);
  std::printf(
      "avx preemption: %ld ticks (%ld while holding ymm0-15), %ld yields (%ld resumed a preempted thread through the "
      "restore stub), %ld rounds; corrupted 64-bit lanes: %ld lower, %ld upper\n",
      ticks, ticks_holding, yields, stub_resumes_of_preempted, rounds, corrupted_lower, corrupted_upper);
  const bool ok = corrupted_lower == 0 && corrupted_upper == 0 && unexpected_events == 0 &&
                  ticks_holding >= ticks / 4 && stub_resumes_of_preempted >= 100 && rounds > 10 * thread_count;
  std::puts(ok ? "avx preemption: ok" : "avx preemption: FAILED");
  return ok ? 0 : 1;
}
