// cte_bench_board: instruction and cycle counts of cte's switch and trap paths on the board,
// read from the ISA's counters (riscv64 minstret/mcycle, aarch64 PMU, x86_64 TSC: bench/baremetal/<isa>/).
// Meant to run under QEMU's `-icount shift=0` (qemu-run --icount), where both count exactly
// and two runs print identical numbers.
//
//   empty_read_pair      one reading block right after another (counters.hpp): E, the cost
//                        each reading adds to an interval; subtracted below, never assumed
//   fast_switch          cte::fast_switch to a thread that switches straight back: (end - start) - E
//   fast_switch_call     the same with cte::fast_switch_call on both sides (every callee-saved
//                        register stored and loaded, the resume stub's jump)
//   yield_round_trip     cte::yield() to a handler that returns the same Context, *excluding the
//                        handler body*: the handler records a reading at its first line and one
//                        just before its return; (end - start) - (exit - entry) - 2E, one E for the
//                        caller's start reading and one for the handler's exit reading (each lies
//                        inside the outer interval but outside the handler's). What remains is
//                        the library's path both ways plus the handler function's own call,
//                        prologue and epilogue (measured on its own as handler_call)
//   handler_call         the same handler called directly through a function pointer, its body
//                        excluded the same way: what of yield_round_trip is the handler's own
//   yield_switch_to_*    one way from a thread's yield to another thread resuming from its
//                        yield (the handler switches between two Contexts), handler body excluded;
//                        to_thread: boot -> a kcontext thread, to_boot: back
//   timer_entry          a thread spins recording the counters (timer_probe.hpp); from the pc the
//                        timer interrupted, the handler knows how many loop instructions ran
//                        after the last recorded reading: (handler entry - last) - those
//                        instructions = from the interrupted instruction to the handler's first line
//   timer_return         from the handler's exit reading to the first reading of the resumed
//                        thread, minus E and minus the loop instructions the thread ran first
// Under icount every instruction is one cycle, so the cycle figures repeat the instruction
// figures; they are printed so that a run without icount shows the difference.
//
// Checks: the yield target (yield_round_trip within the ISA's budget, <reading_block.hpp>), sanity (E is the
// instructions of a reading, the events are what they should be, min == median) and the closing
// line "N passed, N failed". main returns 0 iff nothing failed.

#include <cte/cte.hpp>

#include <cstdint>

#include "reading.hpp"
#include "report.hpp"
#include "timer_probe.hpp"

namespace {

using cte_bench::Interval;
using cte_bench::Reading;
using cte_bench::record_counters;

constexpr int sample_count = 64;
using Samples = cte_bench::Samples<sample_count>;

constexpr std::int64_t reading_block_instructions = cte_bench::isa_counters.block_length;  // <reading_block.hpp>
constexpr std::int64_t max_address_setup = 2;   // the compiler forms the next slot's address
constexpr std::uint64_t timer_period_us = 100;  // 100 000 instructions under icount shift=0

template <std::size_t Size>
struct Stack {
  static_assert(Size % 16 == 0);
  alignas(16) unsigned char memory[Size];
  cte::Area area() { return {memory, memory + Size}; }
};

// --- the handler's readings and what it saw
struct HandlerReadings {
  Reading entry;
  Reading exit;
};
HandlerReadings handler_readings;
cte::EventKind last_kind = cte::EventKind::none;
std::uint64_t last_cause = 0;
Interval handler_body() { return handler_readings.exit - handler_readings.entry; }

// Timer probe state (timer_probe.hpp). The loop goes on recording into spin_last after the
// resume, so the handler keeps the reading it found, the last one before the interrupt, and the
// pc; whether the sample is usable is decided outside the handler (measure_timer).
Reading spin_last, spin_after, spin_last_at_interrupt;
volatile std::uint64_t spin_stop = 0;
std::uintptr_t spin_pc = 0;

void note_timer(cte::Context *context) {
  spin_last_at_interrupt = spin_last;
  spin_pc = context->pc();
  spin_stop = 1;
}

// The measuring handler: readings at its first line and just before its return.
cte::Context *measuring_handler(cte::Event event, cte::Context *context) {
  record_counters(&handler_readings.entry);
  last_kind = event.kind;
  last_cause = event.cause;
  if (event.kind == cte::EventKind::irq_timer) note_timer(context);
  record_counters(&handler_readings.exit);
  return context;
}

// The switching handler of yield_switch: resumes the other of two Contexts on every yield.
cte::Context *switch_partner = nullptr;
bool switching = false;
cte::Context *switching_handler(cte::Event event, cte::Context *context) {
  record_counters(&handler_readings.entry);
  cte::Context *next = context;
  if (event.kind == cte::EventKind::yield && switching) {
    next = switch_partner;
    switch_partner = context;
  }
  record_counters(&handler_readings.exit);
  return next;
}

// --- measurements
Samples empty_pair, fast_switch_round, fast_switch_call_round, yield_round, handler_call, timer_entry, timer_return;
// yield_switch by direction: the handler's board hooks differ (in M-mode the thread's PMP stack
// guard is set on the way to the kcontext thread and cleared on the way back to boot).
Samples yield_switch_to_thread, yield_switch_to_boot;
Interval empty;  // E: the median empty pair

void measure_empty_pair() {
  Reading start, end;
  for (int i = 0; i < sample_count; ++i) {
    record_counters(&start);
    record_counters(&end);
    empty_pair.add(end - start);
  }
  empty = empty_pair.median();
}

cte::FastContext fast_main, fast_partner;
Stack<16 * 1024> fast_stack;
[[noreturn]] void bounce_back(void *) {
  for (;;) cte::fast_switch(fast_partner, fast_main);
}
void measure_fast_switch() {
  cte::make_fast_context(fast_partner, fast_stack.area(), bounce_back, nullptr);
  cte::fast_switch(fast_main, fast_partner);  // starts the partner; it switches straight back
  Reading start, end;
  for (int i = 0; i < sample_count; ++i) {
    record_counters(&start);
    cte::fast_switch(fast_main, fast_partner);
    record_counters(&end);
    fast_switch_round.add((end - start) - empty);
  }
}

[[noreturn]] void bounce_back_by_call(void *) {
  for (;;) cte::fast_switch_call(fast_partner, fast_main);
}
void measure_fast_switch_call() {
  cte::make_fast_context(fast_partner, fast_stack.area(), bounce_back_by_call, nullptr);
  cte::fast_switch_call(fast_main, fast_partner);
  Reading start, end;
  for (int i = 0; i < sample_count; ++i) {
    record_counters(&start);
    cte::fast_switch_call(fast_main, fast_partner);
    record_counters(&end);
    fast_switch_call_round.add((end - start) - empty);
  }
}

void measure_yield_round_trip(cte_bench::Checks &checks) {
  cte::cte_init(measuring_handler);
  cte::iset(false);
  Reading start, end;
  bool all_yield = true;
  for (int i = 0; i < sample_count; ++i) {
    last_kind = cte::EventKind::none;
    record_counters(&start);
    cte::yield();
    record_counters(&end);
    yield_round.add((end - start) - handler_body() - empty - empty);
    all_yield = all_yield && last_kind == cte::EventKind::yield && last_cause == cte::TargetPlatform::Mode::yield_cause;
  }
  checks.check(all_yield, "every yield reached the handler as EventKind::yield with the mode's ecall cause");
}

// The handler's own share: called like the dispatcher calls it, through a pointer.
cte::Handler volatile handler_pointer = measuring_handler;
alignas(16) unsigned char dummy_context[sizeof(cte::Context)];
void measure_handler_call() {
  Reading start, end;
  auto *context = reinterpret_cast<cte::Context *>(dummy_context);
  const cte::Event event{cte::EventKind::yield, cte::TargetPlatform::Mode::yield_cause, 0, "yield"};
  for (int i = 0; i < sample_count; ++i) {
    const cte::Handler handler = handler_pointer;
    record_counters(&start);
    handler(event, context);
    record_counters(&end);
    handler_call.add((end - start) - handler_body() - empty - empty);
  }
}

// yield_switch: both threads run yield_and_record; every resume from a yield closes a sample
// opened by the other thread just before its yield.
Reading switch_start, switch_end;
bool switch_sample_open = false;
void yield_and_record(Samples &closed_here) {
  record_counters(&switch_start);
  switch_sample_open = true;
  cte::yield();
  record_counters(&switch_end);
  if (switch_sample_open) closed_here.add((switch_end - switch_start) - handler_body() - empty - empty);
  switch_sample_open = false;
}
Stack<16 * 1024> partner_stack;
[[noreturn]] void yield_partner(void *) {
  cte::iset(false);  // as the boot context: no interrupt lands in the measurement
  for (;;) yield_and_record(yield_switch_to_thread);
}
void measure_yield_switch() {
  switch_partner = cte::kcontext(partner_stack.area(), yield_partner, nullptr);
  cte::cte_init(switching_handler);
  cte::iset(false);
  switching = true;
  while (!yield_switch_to_boot.full()) yield_and_record(yield_switch_to_boot);
  switching = false;
}

void measure_timer(cte_bench::Checks &checks) {
  cte::cte_init(measuring_handler);
  cte::iset(false);
  cte::timer::start(timer_period_us);
  bool all_timer = true;
  volatile unsigned phase_shift = 0;
  while (!timer_entry.full()) {
    spin_stop = 0;
    spin_pc = 0;
    cte::iset(true);
    cte_bench_timer_spin(&spin_last, &spin_stop, &spin_after);
    const HandlerReadings handler = handler_readings;
    const cte::EventKind kind = last_kind;
    cte::iset(false);
    const int index = cte_bench::timer_probe::loop_index(spin_pc);
    if (!cte_bench::timer_probe::usable(index)) {
      // Not in the loop: a few instructions more between the samples move the loop's phase
      // against the timer's.
      phase_shift = phase_shift + 1;
      continue;
    }
    all_timer = all_timer && kind == cte::EventKind::irq_timer;
    const Interval ran_before{
        cte_bench::timer_probe::ran_since_stored(index, cte_bench::timer_probe::instructions_store_index),
        cte_bench::timer_probe::ran_since_stored(index, cte_bench::timer_probe::cycles_store_index)};
    const Interval ran_after{cte_bench::timer_probe::ran_after_resume(index),
                             cte_bench::timer_probe::ran_after_resume(index)};
    timer_entry.add((handler.entry - spin_last_at_interrupt) - ran_before);
    timer_return.add((spin_after - handler.exit) - empty - ran_after);
  }
  cte::timer::stop();
  checks.check(all_timer, "every probe sample ended with a timer interrupt inside the loop");
}

bool deterministic(const Samples &samples) {
  const Interval minimum = samples.minimum(), median = samples.median();
  return minimum.instructions == median.instructions && minimum.cycles == median.cycles;
}

}  // namespace

int main() {
  using namespace cte_bench;
  print("cte bare-metal bench on ");
  print(cte::TargetPlatform::name);
  print(" (");
  print(cte::TargetPlatform::Mode::name);
  print(" mode): ");
  print(cte_bench::isa_counters.names);
  print(", run under -icount shift=0\n");
  Checks checks;

  cte_bench::enable_counters();
  measure_empty_pair();
  measure_fast_switch();
  measure_fast_switch_call();
  measure_yield_round_trip(checks);
  measure_handler_call();
  measure_yield_switch();
  measure_timer(checks);

  print_table_header();
  print_row("empty_read_pair", empty_pair);
  print_row("fast_switch", fast_switch_round);
  print_row("fast_switch_call", fast_switch_call_round);
  print_row("yield_round_trip", yield_round);
  print_row("handler_call", handler_call);
  print_row("yield_switch_to_thread", yield_switch_to_thread);
  print_row("yield_switch_to_boot", yield_switch_to_boot);
  print_row("timer_entry", timer_entry);
  print_row("timer_return", timer_return);
  print_bench_line("empty_read_pair", empty_pair);
  print_bench_line("fast_switch", fast_switch_round);
  print_bench_line("fast_switch_call", fast_switch_call_round);
  print_bench_line("yield_round_trip", yield_round);
  print_bench_line("handler_call", handler_call);
  print_bench_line("yield_switch_to_thread", yield_switch_to_thread);
  print_bench_line("yield_switch_to_boot", yield_switch_to_boot);
  print_bench_line("timer_entry", timer_entry);
  print_bench_line("timer_return", timer_return);

  checks.check(empty.instructions >= reading_block_instructions &&
                   empty.instructions <= reading_block_instructions + max_address_setup && deterministic(empty_pair),
               "an empty reading pair is one reading block and the slot address (exact counters: -icount shift=0)");
  checks.check(deterministic(fast_switch_round) && deterministic(fast_switch_call_round) &&
                   deterministic(yield_round) && deterministic(yield_switch_to_thread) &&
                   deterministic(yield_switch_to_boot) && deterministic(timer_entry) && deterministic(timer_return),
               "every measurement repeats exactly (min == median)");
  checks.check(yield_round.median().instructions <= cte_bench::isa_counters.yield_round_trip_budget,
               cte_bench::isa_counters.yield_budget_text);
  checks.print_summary();
  return checks.failed == 0 ? 0 : 1;
}
