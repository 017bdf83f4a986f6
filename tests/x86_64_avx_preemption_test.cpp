// Preempted AVX code keeps its vector registers, every bit: kcontext threads hold a pattern in
// ymm0-15 (zmm0-31 where the CPU has AVX-512) while a fast timer tick preempts them and switches
// threads, and between rounds they yield, so a thread preempted by a tick is resumed both
// through sigreturn (by another tick) and through the restore stub (by another thread's yield).
// Each thread's pattern differs in every 64-bit lane, so losing the state beyond XMM0-15 (ymm
// upper halves, zmm upper halves, zmm16-31), or getting another thread's, is seen. Built with
// -mavx2 (the compiler uses AVX for the test's own code too, as in any -march=native build);
// x86_64_avx_preemption_main.cpp skips it on CPUs without AVX2.

#include <cte/cte.hpp>

#include <cstdint>
#include <cstdio>

#include "support/static_stack.hpp"

namespace {

constexpr int thread_count = 3;
constexpr long target_ticks = 20000;
constexpr std::uint64_t tick_us = 20;
constexpr std::uint64_t hold_iterations = 50000;

// Up to 32 registers of up to 512 bits, one 64-byte row each.
struct alignas(64) VectorTable {
  std::uint64_t word[32][8];
};

// Loads ymm0-15 from `table`, spins `iterations` turns (preemptible anywhere), stores them back.
void hold_ymm(VectorTable &table, std::uint64_t iterations) {
  asm volatile(
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
      "  vmovdqu (\\r * 64)(%[table]), %%ymm\\r\n"
      ".endr\n"
      "1:\n"
      "  dec %[n]\n"
      "  jnz 1b\n"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
      "  vmovdqu %%ymm\\r, (\\r * 64)(%[table])\n"
      ".endr\n"
      "  vzeroupper\n"
      : [n] "+r"(iterations)
      : [table] "r"(&table)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

// The same with zmm0-31 (AVX-512: the zmm upper halves and zmm16-31 are XSAVE components of
// their own).
[[gnu::target("avx512f")]] void hold_zmm(VectorTable &table, std::uint64_t iterations) {
  asm volatile(
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
      "  vmovdqu64 (\\r * 64)(%[table]), %%zmm\\r\n"
      ".endr\n"
      "1:\n"
      "  dec %[n]\n"
      "  jnz 1b\n"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
      "  vmovdqu64 %%zmm\\r, (\\r * 64)(%[table])\n"
      ".endr\n"
      "  vzeroupper\n"
      : [n] "+r"(iterations)
      : [table] "r"(&table)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
        "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
}

// What the threads hold: ymm0-15, or zmm0-31 where the CPU has AVX-512.
bool use_zmm = false;
unsigned register_count() { return use_zmm ? 32 : 16; }
unsigned lane_count() { return use_zmm ? 8 : 4; }

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
volatile long corrupted_xmm = 0, corrupted_beyond_xmm = 0, rounds = 0;

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
  VectorTable table;
  for (long round = 0;; ++round) {
    for (unsigned r = 0; r < register_count(); ++r)
      for (unsigned lane = 0; lane < lane_count(); ++lane) table.word[r][lane] = pattern(index, round, r, lane);
    holding[index] = true;
    if (use_zmm)
      hold_zmm(table, hold_iterations);
    else
      hold_ymm(table, hold_iterations);
    holding[index] = false;
    for (unsigned r = 0; r < register_count(); ++r)
      for (unsigned lane = 0; lane < lane_count(); ++lane)
        if (table.word[r][lane] != pattern(index, round, r, lane)) {
          if (lane < 2 && r < 16)
            corrupted_xmm = corrupted_xmm + 1;
          else
            corrupted_beyond_xmm = corrupted_beyond_xmm + 1;
        }
    rounds = rounds + 1;
    if (done) cte::iset(false);  // no more ticks for this thread: the yield hands over to boot
    cte::yield();
  }
}

cte_test::StaticStack<cte_test::thread_stack_size> stacks[thread_count];

}  // namespace

int cte_test_avx_preemption(bool avx512) {
  use_zmm = avx512;
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
      "avx preemption: %ld ticks (%ld while holding %s), %ld yields (%ld resumed a preempted thread through the "
      "restore stub), %ld rounds; corrupted 64-bit lanes: %ld of xmm0-15, %ld beyond\n",
      ticks, ticks_holding, use_zmm ? "zmm0-31" : "ymm0-15", yields, stub_resumes_of_preempted, rounds, corrupted_xmm,
      corrupted_beyond_xmm);
  const bool ok = corrupted_xmm == 0 && corrupted_beyond_xmm == 0 && unexpected_events == 0 &&
                  ticks_holding >= ticks / 4 && stub_resumes_of_preempted >= 100 && rounds > 10 * thread_count;
  std::puts(ok ? "avx preemption: ok" : "avx preemption: FAILED");
  return ok ? 0 : 1;
}
