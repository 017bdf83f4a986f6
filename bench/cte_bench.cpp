// cte benchmark suite (x86_64 Linux, hosted): one binary, so every ratio comes from one run.
//
// A "round trip" is A -> B -> A: the benchmark thread switches to a peer, the peer switches
// straight back. One benchmark iteration is one round trip (two switches), so Google
// Benchmark's time per iteration is the round-trip time. docs/PERFORMANCE.md describes each
// benchmark and the targets; scripts/cte-bench runs them and computes the ratios.

#include <benchmark/benchmark.h>
#include <cte/cte.hpp>

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>

#include <signal.h>
#include <time.h>
#include <ucontext.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Stacks: 64-byte aligned heap memory (cte wants 16-byte aligned ends; 64 keeps every
// benchmark's stacks on their own cache lines).

constexpr std::size_t round_up(std::size_t value, std::size_t to) { return (value + to - 1) / to * to; }

class Stack {
 public:
  explicit Stack(std::size_t size)
      : size_(round_up(size, 64)), memory_(static_cast<std::byte *>(std::aligned_alloc(64, size_))) {}
  ~Stack() { std::free(memory_); }
  Stack(const Stack &) = delete;
  Stack &operator=(const Stack &) = delete;

  bool valid() const { return memory_ != nullptr; }
  std::size_t size() const { return size_; }
  std::byte *bottom() const { return memory_; }
  std::byte *top() const { return memory_ + size_; }
  cte::Area area() const { return {bottom(), top()}; }

 private:
  std::size_t size_;
  std::byte *memory_;
};

constexpr std::size_t peer_stack_size = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Round trip: cte::fast_switch. The peer is a fast-switch thread that switches straight back.
// Measured with the default FpControls::shared and with FpControls::per_thread (each thread
// keeps its own MXCSR and x87 control word, which is what Boost.Context does).

cte::FastContext fast_main, fast_peer;

template <cte::FpControls controls>
void fast_peer_entry(void *) {
  for (;;) cte::fast_switch<controls>(fast_peer, fast_main);
}

template <cte::FpControls controls>
void roundtrip_cte_fast_switch(benchmark::State &state) {
  Stack stack(peer_stack_size);
  if (!stack.valid() || !cte::make_fast_context(fast_peer, stack.area(), fast_peer_entry<controls>, nullptr)) {
    state.SkipWithError("make_fast_context failed");
    return;
  }
  for (auto _ : state) cte::fast_switch<controls>(fast_main, fast_peer);
  // The peer stays parked in its loop; its stack is simply dropped.
}

// Round trip: cte::fast_switch_call in the loop (a call, not a jump: the switch stores every
// callee-saved register).

template <cte::FpControls controls>
void fast_call_peer_entry(void *) {
  for (;;) cte::fast_switch_call<controls>(fast_peer, fast_main);
}

void roundtrip_cte_fast_switch_call(benchmark::State &state) {
  Stack stack(peer_stack_size);
  if (!stack.valid() ||
      !cte::make_fast_context(fast_peer, stack.area(), fast_call_peer_entry<cte::FpControls::shared>, nullptr)) {
    state.SkipWithError("make_fast_context failed");
    return;
  }
  for (auto _ : state) cte::fast_switch_call(fast_main, fast_peer);
}

// ---------------------------------------------------------------------------------------------
// Round trip: the switch behind a function that is never inlined, as a scheduler calls it,
// ending with cte::fast_switch_call (a jump there) or with an inlined cte::fast_switch. With
// one call site both threads call the scheduler from the same instruction (one loop function
// that both run); with several, each thread calls it from four places in turn, so a `ret` out
// of the scheduler goes somewhere else than where the last call into it came from. noipa, not
// just noinline: GCC would otherwise clone a loop function for its constant arguments, and
// the two threads would call from two copies.

enum class SwitchForm { inline_switch, call };

template <SwitchForm form>
[[gnu::noipa]] void schedule(cte::FastContext &self, cte::FastContext &next) {
  if constexpr (form == SwitchForm::call)
    cte::fast_switch_call(self, next);
  else
    cte::fast_switch(self, next);
}

template <SwitchForm form>
[[gnu::noipa]] void schedule_from_one_site(cte::FastContext &self, cte::FastContext &next, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) schedule<form>(self, next);
}

template <SwitchForm form>
[[gnu::noipa]] void schedule_from_four_sites(cte::FastContext &self, cte::FastContext &next, std::int64_t count) {
  for (std::int64_t i = 0; i < count; i += 4) {
    schedule<form>(self, next);
    schedule<form>(self, next);
    schedule<form>(self, next);
    schedule<form>(self, next);
  }
}

template <SwitchForm form, bool several_sites>
void scheduler_peer(void *) {
  if constexpr (several_sites)
    schedule_from_four_sites<form>(fast_peer, fast_main, INT64_MAX);
  else
    schedule_from_one_site<form>(fast_peer, fast_main, INT64_MAX);
}

template <SwitchForm form, bool several_sites>
void roundtrip_behind_call(benchmark::State &state) {
  Stack stack(peer_stack_size);
  if (!stack.valid() ||
      !cte::make_fast_context(fast_peer, stack.area(), scheduler_peer<form, several_sites>, nullptr)) {
    state.SkipWithError("make_fast_context failed");
    return;
  }
  constexpr std::int64_t batch = 4096;  // round trips per call of the loop function
  while (state.KeepRunningBatch(batch)) {
    if constexpr (several_sites)
      schedule_from_four_sites<form>(fast_main, fast_peer, batch);
    else
      schedule_from_one_site<form>(fast_main, fast_peer, batch);
  }
}

// ---------------------------------------------------------------------------------------------
// Round trip: cte::yield. Both sides trap with a full frame; the handler ping-pongs between
// the boot Context (the benchmark thread) and one kcontext thread.

cte::Context *yield_other = nullptr;  // the Context the next yield resumes

cte::Context *ping_pong(cte::Event event, cte::Context *interrupted) {
  if (event.kind != cte::EventKind::yield) std::abort();
  cte::Context *next = yield_other;
  yield_other = interrupted;
  return next;
}

void yield_peer_entry(void *) {
  for (;;) cte::yield();
}

void roundtrip_cte_yield(benchmark::State &state) {
  Stack stack(peer_stack_size);
  cte::cte_init(ping_pong);
  yield_other = stack.valid() ? cte::kcontext(stack.area(), yield_peer_entry, nullptr) : nullptr;
  if (!yield_other) {
    state.SkipWithError("kcontext failed");
    return;
  }
  for (auto _ : state) cte::yield();
  yield_other = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Round trip: Boost.Context's raw jump_fcontext (the assembly under boost::context::fiber).

namespace fctx = boost::context::detail;

void fcontext_peer_entry(fctx::transfer_t from) {
  for (;;) from = fctx::jump_fcontext(from.fctx, nullptr);
}

void roundtrip_boost_jump_fcontext(benchmark::State &state) {
  Stack stack(peer_stack_size);
  if (!stack.valid()) {
    state.SkipWithError("no stack");
    return;
  }
  fctx::fcontext_t peer = fctx::make_fcontext(stack.top(), stack.size(), fcontext_peer_entry);
  for (auto _ : state) peer = fctx::jump_fcontext(peer, nullptr).fctx;
}

// ---------------------------------------------------------------------------------------------
// Round trip: boost::context::fiber (jump_fcontext plus the fiber's ownership protocol).

void roundtrip_boost_fiber(benchmark::State &state) {
  namespace context = boost::context;
  context::fiber peer{std::allocator_arg, context::fixedsize_stack(peer_stack_size), [](context::fiber &&main) {
                        for (;;) main = std::move(main).resume();
                        return std::move(main);
                      }};
  for (auto _ : state) peer = std::move(peer).resume();
  // ~fiber unwinds the peer's stack (forced_unwind) and frees it.
}

// ---------------------------------------------------------------------------------------------
// Round trip: glibc swapcontext (saves and restores the signal mask: a system call each way).

ucontext_t ucontext_main, ucontext_peer;

void ucontext_peer_entry() {
  for (;;) swapcontext(&ucontext_peer, &ucontext_main);
}

void roundtrip_glibc_swapcontext(benchmark::State &state) {
  Stack stack(peer_stack_size);
  if (!stack.valid() || getcontext(&ucontext_peer) != 0) {
    state.SkipWithError("getcontext failed");
    return;
  }
  ucontext_peer.uc_stack.ss_sp = stack.bottom();
  ucontext_peer.uc_stack.ss_size = stack.size();
  ucontext_peer.uc_link = nullptr;
  makecontext(&ucontext_peer, ucontext_peer_entry, 0);
  for (auto _ : state) swapcontext(&ucontext_main, &ucontext_peer);
}

// ---------------------------------------------------------------------------------------------
// Hosted hardware trap: ud2 -> SIGILL -> handler steps over it -> resume. One iteration is
// one trap and its resume.

inline void illegal_instruction() { asm volatile("ud2" ::: "memory"); }

cte::Context *skip_and_resume(cte::Event event, cte::Context *interrupted) {
  if (event.kind != cte::EventKind::illegal_instruction || !cte::skip_instruction(interrupted)) std::abort();
  return interrupted;
}

void trap_cte_skip_instruction(benchmark::State &state) {
  cte::cte_init(skip_and_resume);
  for (auto _ : state) illegal_instruction();
}

// The baseline: a bare SIGILL handler that does the same by hand, no cte involved.
void bare_sigill_handler(int, siginfo_t *, void *context) {
  static_cast<ucontext_t *>(context)->uc_mcontext.gregs[REG_RIP] += 2;  // ud2 is 0f 0b
}

void run_bare_sigaction(benchmark::State &state, int extra_flags) {
  struct sigaction action = {}, previous = {};
  action.sa_sigaction = bare_sigill_handler;
  action.sa_flags = SA_SIGINFO | extra_flags;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGILL, &action, &previous) != 0) {
    state.SkipWithError("sigaction failed");
    return;
  }
  for (auto _ : state) illegal_instruction();
  sigaction(SIGILL, &previous, nullptr);
}

void trap_bare_sigaction(benchmark::State &state) { run_bare_sigaction(state, 0); }

// The same bare handler with the flags cte's signal layer uses (alternate signal stack, no
// self-masking), to separate the cost of those flags from the cost of cte's own code.
// cte_init() has already installed the alternate stack for this thread.
void trap_bare_sigaction_cte_flags(benchmark::State &state) {
  cte::cte_init(skip_and_resume);  // makes sure the alternate signal stack exists
  run_bare_sigaction(state, SA_ONSTACK | SA_NODEFER);
}

// ---------------------------------------------------------------------------------------------
// Working set: N threads in a ring, the benchmark thread being one of them. One iteration
// goes once around the ring: N switches. Every thread writes a word of its own stack on every
// visit, as any thread that does work does. The stacks are packed as tightly as cte allows
// (fast_context_min_stack each, enough as the ring threads never call into a shared library;
// see docs/PERFORMANCE.md), in one allocation. The ring visits them in memory order (what a
// round-robin scheduler over an array does), or, shuffled, in a random order that defeats the
// hardware prefetchers. The same rings on Boost's jump_fcontext compare like with like, and
// a cte ring whose threads prefetch the thread after next (cte::fast_prefetch) shows what a
// scheduler that knows its queue gains.

constexpr std::size_t ring_stack_stride = round_up(cte::fast_context_min_stack, 64);

// Which thread follows which: order[k] is the k-th visited, 0 (the benchmark thread) first.
std::vector<std::size_t> ring_successors(std::size_t count, bool shuffled) {
  std::vector<std::size_t> order(count), next(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffled) std::shuffle(order.begin() + 1, order.end(), std::mt19937_64{42});
  for (std::size_t k = 0; k < count; ++k) next[order[k]] = order[(k + 1) % count];
  return next;
}

struct Ring {
  std::vector<cte::FastContext> contexts;
  std::vector<std::size_t> next;  // the thread each one switches to
};
Ring *ring = nullptr;

template <bool prefetch>
void ring_entry(void *arg) {
  const auto index = reinterpret_cast<std::uintptr_t>(arg);
  cte::FastContext &self = ring->contexts[index];
  const std::size_t next_index = ring->next[index];
  cte::FastContext &next = ring->contexts[next_index];
  cte::FastContext &after_next = ring->contexts[ring->next[next_index]];
  volatile std::uint64_t visits = 0;  // on this thread's stack
  for (;;) {
    visits = visits + 1;
    if constexpr (prefetch) cte::fast_prefetch(after_next);
    cte::fast_switch(self, next);
  }
}

void per_switch_counters(benchmark::State &state, std::size_t count) {
  state.counters["contexts"] = static_cast<double>(count);
  // Seconds per switch, for the console; bench/report.py divides the median by N itself.
  state.counters["per_switch"] = benchmark::Counter(
      static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A started ring: every thread has run once and is parked; lap() goes around once.
template <bool prefetch>
class CteRing {
 public:
  CteRing(std::size_t count, bool shuffled) : arena_((count < 2 ? 1 : count - 1) * ring_stack_stride) {
    ring_.contexts.resize(count);
    ring_.next = ring_successors(count, shuffled);
    if (count < 2 || !arena_.valid()) return;
    for (std::size_t i = 1; i < count; ++i) {
      std::byte *bottom = arena_.bottom() + (i - 1) * ring_stack_stride;
      if (!cte::make_fast_context(ring_.contexts[i], {bottom, bottom + ring_stack_stride}, ring_entry<prefetch>,
                                  reinterpret_cast<void *>(i)))
        return;
    }
    ring = &ring_;  // read by each thread when it starts, in the first lap
    lap();
    ring = nullptr;
    started_ = true;
  }
  bool started() const { return started_; }
  void lap() {
    visits_ = visits_ + 1;
    if constexpr (prefetch) cte::fast_prefetch(ring_.contexts[ring_.next[ring_.next[0]]]);
    cte::fast_switch(ring_.contexts[0], ring_.contexts[ring_.next[0]]);
  }

 private:
  Ring ring_;
  Stack arena_;
  bool started_ = false;
  volatile std::uint64_t visits_ = 0;
};

template <bool prefetch>
void switch_ring(benchmark::State &state, bool shuffled) {
  const auto count = static_cast<std::size_t>(state.range(0));
  CteRing<prefetch> cte_ring(count, shuffled);
  if (!cte_ring.started()) {
    state.SkipWithError("a ring needs 2 threads and memory for their stacks");
    return;
  }
  for (auto _ : state) cte_ring.lap();
  per_switch_counters(state, count);
}

void switch_ring_plain(benchmark::State &state, bool shuffled) { switch_ring<false>(state, shuffled); }
void switch_ring_prefetch(benchmark::State &state, bool shuffled) { switch_ring<true>(state, shuffled); }

// The same ring on jump_fcontext. A thread resumed by jump_fcontext receives the context of
// the thread that jumped to it, and stores it where its predecessor's handle lives.
struct FcontextRing {
  std::vector<fctx::fcontext_t> contexts;
  std::vector<std::size_t> next;
  std::vector<std::size_t> indices;  // indices[i] == i: what a jump passes as its data
};
FcontextRing *fcontext_ring = nullptr;

void fcontext_ring_arrived(fctx::transfer_t from) {
  fcontext_ring->contexts[*static_cast<const std::size_t *>(from.data)] = from.fctx;
}

// Jumps from thread `self` to its successor; returns when a predecessor jumps back.
void fcontext_ring_step(FcontextRing &r, std::size_t self) {
  fcontext_ring_arrived(fctx::jump_fcontext(r.contexts[r.next[self]], &r.indices[self]));
}

void fcontext_ring_entry(fctx::transfer_t from) {
  FcontextRing &r = *fcontext_ring;
  const std::size_t self = r.next[*static_cast<const std::size_t *>(from.data)];  // we follow the jumper
  fcontext_ring_arrived(from);
  volatile std::uint64_t visits = 0;  // on this thread's stack
  for (;;) {
    visits = visits + 1;
    fcontext_ring_step(r, self);
  }
}

void boost_ring(benchmark::State &state, bool shuffled) {
  const auto count = static_cast<std::size_t>(state.range(0));
  FcontextRing local;
  local.contexts.resize(count);
  local.next = ring_successors(count, shuffled);
  local.indices.resize(count);
  std::iota(local.indices.begin(), local.indices.end(), std::size_t{0});
  Stack arena((count - 1) * ring_stack_stride);
  if (count < 2 || !arena.valid()) {
    state.SkipWithError("a ring needs 2 threads and memory for their stacks");
    return;
  }
  for (std::size_t i = 1; i < count; ++i)
    local.contexts[i] =
        fctx::make_fcontext(arena.bottom() + i * ring_stack_stride, ring_stack_stride, fcontext_ring_entry);
  fcontext_ring = &local;
  fcontext_ring_step(local, 0);  // first lap: every thread starts
  volatile std::uint64_t visits = 0;
  for (auto _ : state) {
    visits = visits + 1;
    fcontext_ring_step(local, 0);
  }
  fcontext_ring = nullptr;
  per_switch_counters(state, count);
}

// ---------------------------------------------------------------------------------------------
// Paired ratios. On a shared machine the noise comes in periods (another tenant busy for a
// few seconds) longer than one repetition, so two benchmarks' medians can each land in a
// different mood of the host. These benchmarks alternate blocks of the two operations of a
// target, a few hundred microseconds each, timing every block with the thread's CPU clock, and
// report the median of the per-block ratios (counter "ratio"): both sides of each ratio ran
// within a millisecond of each other. The order alternates from block to block, so neither
// side always runs first. One iteration is one pair of blocks.

double thread_cpu_ns() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// Runs `numerator` and `denominator` (each: one block, with any switching of signal handlers
// outside the timed part done by `prepare_*`) alternately; sets the "ratio" counter.
template <class PrepareNumerator, class Numerator, class PrepareDenominator, class Denominator>
void run_paired(benchmark::State &state, PrepareNumerator prepare_numerator, Numerator numerator,
                PrepareDenominator prepare_denominator, Denominator denominator) {
  std::vector<double> ratios;
  bool numerator_first = true;
  const auto timed = [](auto &&block) {
    const double start = thread_cpu_ns();
    block();
    return thread_cpu_ns() - start;
  };
  for (auto _ : state) {
    double numerator_ns = 0, denominator_ns = 0;
    for (int side = 0; side < 2; ++side) {
      if ((side == 0) == numerator_first) {
        prepare_numerator();
        numerator_ns = timed(numerator);
      } else {
        prepare_denominator();
        denominator_ns = timed(denominator);
      }
    }
    numerator_first = !numerator_first;
    if (denominator_ns > 0) ratios.push_back(numerator_ns / denominator_ns);
  }
  if (ratios.empty()) {
    state.SkipWithError("no block was timed");
    return;
  }
  std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
  state.counters["ratio"] = ratios[ratios.size() / 2];
}

// yield round trip / jump_fcontext round trip, 1,000 round trips per block.
void paired_yield_vs_jump_fcontext(benchmark::State &state) {
  constexpr int block = 1000;
  Stack yield_stack(peer_stack_size), jump_stack(peer_stack_size);
  cte::cte_init(ping_pong);
  yield_other = yield_stack.valid() ? cte::kcontext(yield_stack.area(), yield_peer_entry, nullptr) : nullptr;
  if (!yield_other || !jump_stack.valid()) {
    state.SkipWithError("no peer");
    return;
  }
  fctx::fcontext_t peer = fctx::make_fcontext(jump_stack.top(), jump_stack.size(), fcontext_peer_entry);
  run_paired(
      state, [] {},
      [] {
        for (int i = 0; i < block; ++i) cte::yield();
      },
      [] {},
      [&peer] {
        for (int i = 0; i < block; ++i) peer = fctx::jump_fcontext(peer, nullptr).fctx;
      });
  yield_other = nullptr;
}

// The fast switch's targets against jump_fcontext, 1,000 round trips per block: inlined, behind
// a never-inlined scheduler called from four sites (ending with fast_switch_call), and with
// per-thread FP controls.
template <class CteRoundTrips>
void paired_against_jump_fcontext(benchmark::State &state, void (*peer_entry)(void *), CteRoundTrips cte_block) {
  constexpr int block = 1000;
  Stack fast_stack(peer_stack_size), jump_stack(peer_stack_size);
  if (!fast_stack.valid() || !jump_stack.valid() ||
      !cte::make_fast_context(fast_peer, fast_stack.area(), peer_entry, nullptr)) {
    state.SkipWithError("no peer");
    return;
  }
  fctx::fcontext_t peer = fctx::make_fcontext(jump_stack.top(), jump_stack.size(), fcontext_peer_entry);
  run_paired(
      state, [] {}, [&cte_block] { cte_block(block); }, [] {},
      [&peer] {
        for (int i = 0; i < block; ++i) peer = fctx::jump_fcontext(peer, nullptr).fctx;
      });
}

void paired_fast_switch_vs_jump_fcontext(benchmark::State &state) {
  paired_against_jump_fcontext(state, fast_peer_entry<cte::FpControls::shared>, [](int count) {
    for (int i = 0; i < count; ++i) cte::fast_switch(fast_main, fast_peer);
  });
}

void paired_per_thread_vs_jump_fcontext(benchmark::State &state) {
  paired_against_jump_fcontext(state, fast_peer_entry<cte::FpControls::per_thread>, [](int count) {
    for (int i = 0; i < count; ++i) cte::fast_switch<cte::FpControls::per_thread>(fast_main, fast_peer);
  });
}

void paired_behind_call_vs_jump_fcontext(benchmark::State &state) {
  paired_against_jump_fcontext(state, scheduler_peer<SwitchForm::call, true>, [](int count) {
    schedule_from_four_sites<SwitchForm::call>(fast_main, fast_peer, count);
  });
}

// Per switch in a ring of 100,000 / in a ring of 1,000 (memory order, stack touches): one lap
// of the large ring against 100 laps of the small one per block.
void paired_ring_100000_vs_1000(benchmark::State &state) {
  CteRing<false> large(100000, false), small(1000, false);
  if (!large.started() || !small.started()) {
    state.SkipWithError("no ring");
    return;
  }
  run_paired(
      state, [] {}, [&large] { large.lap(); }, [] {},
      [&small] {
        for (int i = 0; i < 100; ++i) small.lap();
      });
}

// cte trap resume / bare sigaction round trip, 20 traps per block. The bare handler is
// installed before its block and cte's put back before cte's (untimed).
void paired_trap_vs_bare_sigaction(benchmark::State &state) {
  constexpr int block = 20;
  cte::cte_init(skip_and_resume);
  struct sigaction bare = {}, cte_action = {};
  bare.sa_sigaction = bare_sigill_handler;
  bare.sa_flags = SA_SIGINFO;
  sigemptyset(&bare.sa_mask);
  if (sigaction(SIGILL, nullptr, &cte_action) != 0) {
    state.SkipWithError("sigaction failed");
    return;
  }
  run_paired(
      state, [&cte_action] { sigaction(SIGILL, &cte_action, nullptr); },
      [] {
        for (int i = 0; i < block; ++i) illegal_instruction();
      },
      [&bare] { sigaction(SIGILL, &bare, nullptr); },
      [] {
        for (int i = 0; i < block; ++i) illegal_instruction();
      });
  sigaction(SIGILL, &cte_action, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Creation cost and memory per context.

void entry_never_run(void *) { std::abort(); }

void create_kcontext(benchmark::State &state) {
  Stack stack(cte::kcontext_min_stack);
  for (auto _ : state) {
    cte::Context *context = cte::kcontext(stack.area(), entry_never_run, nullptr);
    benchmark::DoNotOptimize(context);
    benchmark::ClobberMemory();
  }
}

void create_fast_context(benchmark::State &state) {
  Stack stack(cte::fast_context_min_stack);
  cte::FastContext context;
  for (auto _ : state) {
    const bool made = cte::make_fast_context(context, stack.area(), entry_never_run, nullptr);
    benchmark::DoNotOptimize(made);
    benchmark::DoNotOptimize(context);
    benchmark::ClobberMemory();
  }
}

// Not a timing: the sizes, as counters (bytes).
void info_memory_per_context(benchmark::State &state) {
  for (auto _ : state) benchmark::DoNotOptimize(state.iterations());
  state.counters["FastContext"] = sizeof(cte::FastContext);
  state.counters["fast_context_min_stack"] = cte::fast_context_min_stack;
  state.counters["Context"] = sizeof(cte::Context);
  state.counters["kcontext_min_stack"] = cte::kcontext_min_stack;
}

// ---------------------------------------------------------------------------------------------

BENCHMARK(roundtrip_cte_fast_switch<cte::FpControls::shared>)->Name("roundtrip/cte_fast_switch");
BENCHMARK(roundtrip_cte_fast_switch<cte::FpControls::per_thread>)->Name("roundtrip/cte_fast_switch_per_thread_fp");
BENCHMARK(roundtrip_boost_jump_fcontext)->Name("roundtrip/boost_jump_fcontext");
BENCHMARK(roundtrip_boost_fiber)->Name("roundtrip/boost_fiber");
BENCHMARK(roundtrip_cte_yield)->Name("roundtrip/cte_yield");
BENCHMARK(roundtrip_glibc_swapcontext)->Name("roundtrip/glibc_swapcontext");
BENCHMARK(trap_cte_skip_instruction)->Name("trap/cte_skip_instruction");
BENCHMARK(trap_bare_sigaction)->Name("trap/bare_sigaction");
BENCHMARK(trap_bare_sigaction_cte_flags)->Name("trap/bare_sigaction_onstack_nodefer");
BENCHMARK(roundtrip_cte_fast_switch_call)->Name("roundtrip/cte_fast_switch_call");
BENCHMARK(roundtrip_behind_call<SwitchForm::call, false>)->Name("roundtrip/scheduler_one_site_fast_switch_call");
BENCHMARK(roundtrip_behind_call<SwitchForm::call, true>)->Name("roundtrip/scheduler_four_sites_fast_switch_call");
BENCHMARK(roundtrip_behind_call<SwitchForm::inline_switch, false>)->Name("roundtrip/scheduler_one_site_fast_switch");
BENCHMARK(roundtrip_behind_call<SwitchForm::inline_switch, true>)->Name("roundtrip/scheduler_four_sites_fast_switch");
BENCHMARK_CAPTURE(switch_ring_plain, in_order, false)->Name("switch_ring")->Arg(2)->Arg(1000)->Arg(100000);
BENCHMARK_CAPTURE(switch_ring_plain, shuffled, true)->Name("switch_ring_shuffled")->Arg(1000)->Arg(100000);
BENCHMARK_CAPTURE(switch_ring_prefetch, shuffled, true)->Name("switch_ring_shuffled_prefetch")->Arg(100000);
BENCHMARK_CAPTURE(boost_ring, in_order, false)->Name("boost_ring")->Arg(2)->Arg(1000)->Arg(100000);
BENCHMARK_CAPTURE(boost_ring, shuffled, true)->Name("boost_ring_shuffled")->Arg(100000);
BENCHMARK(paired_fast_switch_vs_jump_fcontext)->Name("paired/fast_switch_vs_jump_fcontext");
BENCHMARK(paired_behind_call_vs_jump_fcontext)->Name("paired/behind_call_four_sites_vs_jump_fcontext");
BENCHMARK(paired_per_thread_vs_jump_fcontext)->Name("paired/per_thread_fp_vs_jump_fcontext");
BENCHMARK(paired_ring_100000_vs_1000)->Name("paired/ring_100000_vs_1000");
BENCHMARK(paired_yield_vs_jump_fcontext)->Name("paired/yield_vs_jump_fcontext");
BENCHMARK(paired_trap_vs_bare_sigaction)->Name("paired/trap_vs_bare_sigaction");
BENCHMARK(create_kcontext)->Name("create/kcontext");
BENCHMARK(create_fast_context)->Name("create/make_fast_context");
BENCHMARK(info_memory_per_context)->Name("info/memory_per_context")->Iterations(1)->Repetitions(1);

}  // namespace

BENCHMARK_MAIN();
