// cte_static_heap: a program linked -static. Its libc is part of the program's own code, so
// the hosted rule "an interrupt that finds the thread inside libc waits" cannot see it, and a
// tick could preempt malloc and let another thread corrupt the heap. The platform refuses
// interrupts clearly instead (timer::start returns false, external raises report
// not_started); kcontext threads switching by yield while hammering malloc/free keep the heap
// intact. Prints "static-heap: ok" on success.

#include <cte/cte.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support/static_stack.hpp"

namespace {

constexpr int thread_count = 3;
constexpr int rounds = 2000;
constexpr int blocks_per_round = 16;

cte::Context *threads[thread_count];
cte::Context *boot = nullptr;
int current = -1;
int finished = 0;
long corrupted = 0, switches = 0;

cte::Context *schedule(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return context;
  if (current < 0)
    boot = context;
  else
    threads[current] = context;
  if (finished == thread_count) {
    current = -1;
    return boot;
  }
  ++switches;
  current = (current + 1) % thread_count;
  return threads[current];
}

void heap_thread(void *index_pointer) {
  const auto fill = static_cast<unsigned char>(0x40 + reinterpret_cast<std::uintptr_t>(index_pointer));
  for (int round = 0; round < rounds; ++round) {
    unsigned char *blocks[blocks_per_round];
    for (int b = 0; b < blocks_per_round; ++b) {
      const std::size_t size = 16 + static_cast<std::size_t>((round * 7 + b * 131) % 4000);
      blocks[b] = static_cast<unsigned char *>(std::malloc(size));
      std::memset(blocks[b], fill, size);
      blocks[b][0] = static_cast<unsigned char>(size & 0xff);
      if (b % 4 == 0) cte::yield();  // another thread mallocs in between
    }
    for (int b = 0; b < blocks_per_round; ++b) {
      const std::size_t size = 16 + static_cast<std::size_t>((round * 7 + b * 131) % 4000);
      if (blocks[b][0] != static_cast<unsigned char>(size & 0xff) || blocks[b][size - 1] != fill) ++corrupted;
      std::free(blocks[b]);
    }
  }
  ++finished;
  for (;;) cte::yield();
}

cte_test::StaticStack<cte_test::thread_stack_size> stacks[thread_count];

}  // namespace

int main() {
  for (int i = 0; i < thread_count; ++i)
    threads[i] = cte::kcontext(stacks[i].area(), heap_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
  cte::cte_init(schedule);
  const bool timer_refused = !cte::timer::start(1000);
  const bool raise_refused =
      cte::hosted::external_line().raise(1, std::chrono::milliseconds(100)) == cte::hosted::RaiseResult::not_started;
  cte::yield();  // runs the threads until all are finished
  std::printf("static-heap: timer %s, external raise %s, %ld switches, %ld corrupted blocks\n",
              timer_refused ? "refused" : "STARTED", raise_refused ? "refused" : "ACCEPTED", switches, corrupted);
  const bool ok = timer_refused && raise_refused && corrupted == 0 && switches > rounds;
  std::printf("static-heap: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
