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
// Working set: N fast contexts in a ring, the benchmark thread being one of them. One
// iteration goes once around the ring: N switches. The stacks are packed as tightly as cte
// allows (fast_context_min_stack each: enough, as ring_entry never calls into a shared
// library; see docs/PERFORMANCE.md), in one allocation. The ring visits them in memory
// order (what a round-robin scheduler over an array does), or, for the shuffled variant, in a
// random order that defeats the hardware prefetchers.

struct Ring {
  std::vector<cte::FastContext> contexts;
  std::vector<std::size_t> next;  // the context each one switches to
};
Ring *ring = nullptr;

void ring_entry(void *arg) {
  const auto index = reinterpret_cast<std::uintptr_t>(arg);
  cte::FastContext &self = ring->contexts[index];
  cte::FastContext &next = ring->contexts[ring->next[index]];
  for (;;) cte::fast_switch(self, next);
}

constexpr std::size_t ring_stack_stride = round_up(cte::fast_context_min_stack, 64);

void switch_ring(benchmark::State &state, bool shuffled) {
  const auto count = static_cast<std::size_t>(state.range(0));
  if (count < 2) {
    state.SkipWithError("a ring needs at least 2 contexts");
    return;
  }
  Ring local;
  local.contexts.resize(count);
  std::vector<std::size_t> order(count);  // order[k]: the k-th context visited; 0 is this thread
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffled) std::shuffle(order.begin() + 1, order.end(), std::mt19937_64{42});
  local.next.resize(count);
  for (std::size_t k = 0; k < count; ++k) local.next[order[k]] = order[(k + 1) % count];
  Stack arena((count - 1) * ring_stack_stride);
  if (!arena.valid()) {
    state.SkipWithError("no memory for the ring's stacks");
    return;
  }
  for (std::size_t i = 1; i < count; ++i) {
    std::byte *bottom = arena.bottom() + (i - 1) * ring_stack_stride;
    if (!cte::make_fast_context(local.contexts[i], {bottom, bottom + ring_stack_stride}, ring_entry,
                                reinterpret_cast<void *>(i))) {
      state.SkipWithError("make_fast_context failed");
      return;
    }
  }
  ring = &local;
  cte::FastContext &first = local.contexts[local.next[0]];
  cte::fast_switch(local.contexts[0], first);  // first lap: every thread starts
  for (auto _ : state) cte::fast_switch(local.contexts[0], first);
  ring = nullptr;
  state.counters["contexts"] = static_cast<double>(count);
  // Seconds per switch, for the console; bench/report.py divides the median by N itself.
  state.counters["per_switch"] = benchmark::Counter(
      static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
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
BENCHMARK_CAPTURE(switch_ring, in_order, false)->Name("switch_ring")->Arg(2)->Arg(1000)->Arg(100000);
BENCHMARK_CAPTURE(switch_ring, shuffled, true)->Name("switch_ring_shuffled")->Arg(100000);
BENCHMARK(paired_yield_vs_jump_fcontext)->Name("paired/yield_vs_jump_fcontext");
BENCHMARK(paired_trap_vs_bare_sigaction)->Name("paired/trap_vs_bare_sigaction");
BENCHMARK(create_kcontext)->Name("create/kcontext");
BENCHMARK(create_fast_context)->Name("create/make_fast_context");
BENCHMARK(info_memory_per_context)->Name("info/memory_per_context")->Iterations(1)->Repetitions(1);

}  // namespace

BENCHMARK_MAIN();
