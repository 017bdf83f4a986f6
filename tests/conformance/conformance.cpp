// The conformance scenario: one kernel, one source, run on every platform; its trace (between
// the begin and end lines) must be byte-identical to tests/conformance/golden.txt everywhere.
// docs/CONFORMANCE.md explains each part and how a new board joins.
//
// The kernel: the boot context and five kcontext threads on cte::GuardedStacks, scheduled by
// the handler round robin (A B C D E) at every yield:
//   A  yields, syscalls with 0-6 arguments, an illegal instruction and a breakpoint (skipped),
//      a load and a store to a protected page (made accessible by the handler), then exits
//   B  spins until a tick preempts it (the handler switches to another thread), then holds a
//      tick across an iset(false) window and sees it delivered at iset(true), then exits
//   C  a software interrupt raised with interrupts on, and one raised with them off
//      (delivered at iset(true)); the platform's loopback device interrupt; then exits
//   D  recurses until its guarded stack overflows (stack_overflow)
//   E  returns from its entry function (EventKind::error)
//
// Determinism: nothing that depends on timing, addresses or the ISA is printed. Ticks reach
// the trace only where the scenario waits for one (a thread's `waiting_for` says which);
// every other tick resumes the interrupted thread unprinted. Fault addresses print as offsets
// from the protected page; only event kinds print, never raw causes or messages (the ISA
// supplement at the end, outside the compared trace, has those).

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>
#include <trap_probes.hpp>

namespace {

using cte::EventKind;

// --- output: the trace is one line per fact
void out(const char *text) { cte::putstr(text); }
void out_dec(std::uint64_t value) { cte::putdec(value); }
void out_hex(std::uint64_t value) { cte::puthex(value); }
void line(const char *text) {
  out(text);
  out("\n");
}

// --- threads
enum Thread : unsigned { boot, A, B, C, D, E, thread_count };
constexpr const char *thread_names[thread_count] = {"boot", "A", "B", "C", "D", "E"};

// What a thread waits for; the handler prints an interrupt only for the thread waiting on it.
enum class Wait : unsigned {
  nothing,
  preempting_tick,
  tick_in_window,
  tick_at_iset,
  software_now,
  software_at_iset,
  loopback
};

// Volatile where threads and the handler share a field: the handler runs in the middle of a
// thread's spin loop, which the compiler does not see as a call.
struct ThreadState {
  cte::Context *context = nullptr;
  bool finished = false;
  volatile Wait waiting_for = Wait::nothing;
  volatile bool got_it = false;  // the awaited interrupt came (set by the handler)
};
ThreadState threads[thread_count];
unsigned current = boot;

constexpr std::uintptr_t exit_syscall = 1;
constexpr std::uintptr_t depth_syscall = 2;  // D's per-level probe: returns, prints nothing
constexpr std::uintptr_t first_test_syscall = 100;
constexpr std::uint64_t tick_period_us = 2000;

cte::ProtectedPage *protected_page = nullptr;
constexpr std::size_t load_offset = 0x10, store_offset = 0x28;
constexpr std::uint64_t stored_value = 0x5a5a5a5a;

std::uint64_t ignored_ticks = 0;  // for the supplement only: how many depends on timing

// --- the scheduler
cte::Context *switch_to(unsigned next) {
  current = next;
  return threads[next].context;
}

// The next unfinished thread after the current one, round robin over A..E; the boot context
// when every thread has finished.
cte::Context *schedule_next(const char *why) {
  const unsigned from = current == boot ? E : current;  // the boot context counts as E: A comes first
  for (unsigned step = 1; step <= E; ++step) {
    const unsigned next = (from - 1 + step) % E + 1;
    if (next != current && !threads[next].finished) {
      out("  ");
      out(why);
      out(": ");
      out(thread_names[current]);
      out(" -> ");
      line(thread_names[next]);
      return switch_to(next);
    }
  }
  if (!threads[current].finished && current != boot) return threads[current].context;  // only one left
  out("  ");
  out(why);
  out(": ");
  out(thread_names[current]);
  line(" -> boot (every thread finished)");
  return switch_to(boot);
}

void event_line(const char *what) {
  out("  event: ");
  out(thread_names[current]);
  out(" ");
  line(what);
}

cte::Context *on_syscall(cte::Context *context) {
  const std::uintptr_t number = context->syscall_number();
  if (number == depth_syscall) return context;
  if (number == exit_syscall) {
    event_line("syscall exit");
    threads[current].finished = true;
    return schedule_next("exit");
  }
  // A test syscall: number 100 + n takes n arguments 1..n; it returns n * 1000 + their sum.
  const std::uintptr_t count = number - first_test_syscall;
  out("  event: ");
  out(thread_names[current]);
  out(" syscall ");
  out_dec(number);
  out(" args");
  std::uintptr_t sum = 0;
  for (unsigned i = 0; i < 6; ++i) {
    const std::uintptr_t expected = i < count ? i + 1 : 0;
    out(" ");
    out_dec(context->arg(i));
    if (context->arg(i) != expected) out("(wrong)");
    sum += context->arg(i);
  }
  out("\n");
  context->set_return(count * 1000 + sum);
  return context;
}

cte::Context *on_interrupt(cte::Event event, cte::Context *context) {
  ThreadState &thread = threads[current];
  const Wait wait = thread.waiting_for;
  if (event.kind == EventKind::irq_timer) {
    if (wait == Wait::preempting_tick) {
      event_line("irq_timer while spinning: preempted");
      thread.context = context;
      thread.got_it = true;
      thread.waiting_for = Wait::nothing;
      return schedule_next("preempt");
    }
    if (wait == Wait::tick_in_window) {
      event_line("irq_timer inside the iset(false) window (wrong)");
      return context;
    }
    if (wait == Wait::tick_at_iset) {
      event_line("irq_timer held while interrupts were off, taken at iset(true)");
      thread.got_it = true;
      thread.waiting_for = Wait::nothing;
      return context;
    }
    ++ignored_ticks;
    return context;
  }
  if (event.kind == EventKind::irq_software) {
    if (wait == Wait::software_now)
      event_line("irq_software raised with interrupts on: taken at once");
    else if (wait == Wait::software_at_iset)
      event_line("irq_software raised with interrupts off: taken at iset(true)");
    else
      event_line("irq_software nobody raised (wrong)");
    thread.got_it = true;
    thread.waiting_for = Wait::nothing;
    return context;
  }
  // irq_external
  if (event.ref == cte::loopback_irq::source()) {
    cte::loopback_irq::acknowledge();
    event_line(wait == Wait::loopback ? "irq_external from the loopback line"
                                      : "irq_external loopback unasked (wrong)");
    thread.got_it = true;
    thread.waiting_for = Wait::nothing;
  } else {
    event_line("irq_external from an unknown source (wrong)");
  }
  return context;
}

cte::Context *on_fault(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case EventKind::illegal_instruction:
    case EventKind::breakpoint:
      out("  event: ");
      out(thread_names[current]);
      out(" ");
      out(cte::to_string(event.kind));
      line(cte::skip_instruction(context) ? ": skipped" : ": cannot skip (wrong)");
      return context;
    case EventKind::page_fault:
    case EventKind::access_fault: {
      const auto page = reinterpret_cast<std::uintptr_t>(protected_page->area().start);
      out("  event: ");
      out(thread_names[current]);
      out(" memory protection fault at page+");
      if (event.ref >= page && event.ref < page + cte::ProtectedPage::size())
        out_hex(event.ref - page);
      else
        out("(outside the page: wrong)");
      line(protected_page->set_accessible(true) ? ": page made accessible, access retried"
                                                : ": cannot unprotect (wrong)");
      return context;
    }
    case EventKind::stack_overflow:
      event_line("stack_overflow");
      threads[current].finished = true;
      return schedule_next("overflow");
    case EventKind::error:
      event_line("error: the thread returned from its entry");
      threads[current].finished = true;
      return schedule_next("returned");
    default:
      out("  event: ");
      out(thread_names[current]);
      out(" unexpected ");
      out(cte::to_string(event.kind));
      line(" (wrong)");
      return context;
  }
}

cte::Context *kernel(cte::Event event, cte::Context *context) {
  switch (event.kind) {
    case EventKind::yield: threads[current].context = context; return schedule_next("yield");
    case EventKind::syscall: return on_syscall(context);
    case EventKind::irq_timer:
    case EventKind::irq_software:
    case EventKind::irq_external: return on_interrupt(event, context);
    default: return on_fault(event, context);
  }
}

// --- thread bodies
void say(const char *text) {
  out(thread_names[current]);
  out(": ");
  line(text);
}
void check(bool ok, const char *what) {
  out(thread_names[current]);
  out(": ");
  out(what);
  line(ok ? ": ok" : ": WRONG");
}

// Waits for the handler to see the interrupt this thread waits for.
void await(volatile bool &got_it) {
  while (!got_it) {
  }
}

[[noreturn]] void exit_thread() {
  cte::syscall(exit_syscall);
  line("exit returned (wrong)");
  cte::halt(1);
}

void thread_a(void *) {
  say("started");
  cte::yield();
  say("syscalls with 0 to 6 arguments");
  const std::uintptr_t results[7] = {
      cte::syscall(first_test_syscall + 0),
      cte::syscall(first_test_syscall + 1, 1),
      cte::syscall(first_test_syscall + 2, 1, 2),
      cte::syscall(first_test_syscall + 3, 1, 2, 3),
      cte::syscall(first_test_syscall + 4, 1, 2, 3, 4),
      cte::syscall(first_test_syscall + 5, 1, 2, 3, 4, 5),
      cte::syscall(first_test_syscall + 6, 1, 2, 3, 4, 5, 6),
  };
  bool all_right = true;
  for (std::uintptr_t n = 0; n <= 6; ++n) all_right = all_right && results[n] == n * 1000 + n * (n + 1) / 2;
  check(all_right, "syscall return values");

  say("illegal instruction");
  cte_test_illegal_instruction();
  say("breakpoint");
  cte_test_breakpoint();
  say("resumed after both");

  auto *bytes = static_cast<unsigned char *>(protected_page->area().start);
  say("load from the protected page");
  const std::uint64_t loaded = *reinterpret_cast<volatile std::uint64_t *>(bytes + load_offset);
  check(loaded == 0, "load retried, read the page's zero");
  check(protected_page->set_accessible(false), "page protected again");
  say("store to the protected page");
  *reinterpret_cast<volatile std::uint64_t *>(bytes + store_offset) = stored_value;
  check(*reinterpret_cast<volatile std::uint64_t *>(bytes + store_offset) == stored_value,
        "store retried, value there");
  exit_thread();
}

void thread_b(void *) {
  say("started");
  cte::yield();
  check(cte::timer::start(tick_period_us), "timer started");
  say("spinning until a tick preempts me");
  threads[B].got_it = false;
  threads[B].waiting_for = Wait::preempting_tick;
  await(threads[B].got_it);
  say("resumed after the preemption");

  say("interrupts off across a tick");
  cte::iset(false);
  threads[B].got_it = false;
  threads[B].waiting_for = Wait::tick_in_window;
  while (!cte::interrupt_pending()) {
  }
  threads[B].waiting_for = Wait::tick_at_iset;
  cte::iset(true);
  const bool delivered_at_iset = threads[B].got_it;
  cte::timer::stop();
  check(delivered_at_iset, "tick delivered before iset(true) returned");
  exit_thread();
}

void thread_c(void *) {
  say("started");
  cte::yield();
  say("running while B is preempted");
  cte::yield();

  say("software interrupt, interrupts on");
  threads[C].got_it = false;
  threads[C].waiting_for = Wait::software_now;
  cte::raise_software_interrupt();
  await(threads[C].got_it);

  say("software interrupt, interrupts off");
  cte::iset(false);
  threads[C].got_it = false;
  threads[C].waiting_for = Wait::software_at_iset;
  cte::raise_software_interrupt();
  const bool early = threads[C].got_it;
  cte::iset(true);
  check(!early && threads[C].got_it, "held until iset(true), delivered before it returned");

  say("loopback device interrupt");
  threads[C].got_it = false;
  threads[C].waiting_for = Wait::loopback;
  if (cte::loopback_irq::raise()) await(threads[C].got_it);
  check(threads[C].got_it, "raised and handled");
  exit_thread();
}

// Each level traps (a syscall): boards whose guard is a check at trap entry see the overflow
// at the first trap inside it, before the recursion can leave the stack.
// Far deeper than any stack here: reaching it means the overflow went unnoticed.
constexpr std::uint64_t impossible_depth = 1u << 20;
[[gnu::noinline]] std::uint64_t recurse(std::uint64_t depth) {
  if (depth == impossible_depth) return 0;
  volatile unsigned char frame[256];
  frame[0] = static_cast<unsigned char>(depth);
  cte::syscall(depth_syscall);
  return recurse(depth + 1) + frame[0];
}

void thread_d(void *) {
  say("started: recursing until the stack overflows");
  recurse(0);
  line("D: recursion ended (wrong)");
}

void thread_e(void *) { say("started: returning from my entry"); }

constexpr std::size_t stack_size = 16 * 1024;
constexpr void (*entries[thread_count])(void *) = {nullptr, thread_a, thread_b, thread_c, thread_d, thread_e};

}  // namespace

int main() {
  line("=== cte conformance trace begin ===");
  check(cte::cte_init(kernel), "cte_init");

  cte::ProtectedPage page;
  protected_page = &page;
  check(page.valid(), "protected page");

  cte::GuardedStack stack_a(stack_size), stack_b(stack_size), stack_c(stack_size), stack_d(stack_size),
      stack_e(stack_size);
  const cte::GuardedStack *stacks[thread_count] = {nullptr, &stack_a, &stack_b, &stack_c, &stack_d, &stack_e};
  bool created = true;
  for (unsigned t = A; t < thread_count; ++t) {
    threads[t].context = stacks[t]->valid() ? cte::kcontext(stacks[t]->area(), entries[t], nullptr) : nullptr;
    created = created && threads[t].context != nullptr;
  }
  check(created, "threads A B C D E on guarded stacks");

  say("yielding to the threads");
  cte::yield();
  say("back: every thread finished");
  line("=== cte conformance trace end ===");

  // The ISA supplement: facts that differ by platform, outside the compared trace.
  out("supplement: platform ");
  out(cte::TargetPlatform::name);
  out(", isa ");
  out(cte::TargetIsa::name);
  out(", loopback source ");
  out_dec(cte::loopback_irq::source());
  out(", page size ");
  out_dec(cte::ProtectedPage::size());
  out(", ticks not awaited ");
  out_dec(ignored_ticks);
  out("\n");
  return 0;
}
