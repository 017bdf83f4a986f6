// The CTE API on every platform: events, Context accessors, syscall convention, kcontext and
// its validation, the interrupt-enable state of threads, handler replacement; and yield-os,
// kcontext threads scheduled by the handler, the Abstract Machine way.

#include <cte/cte.hpp>

#include <cstdint>

#include "support/cte_test.hpp"
#include "support/round_robin.hpp"
#include "support/static_stack.hpp"

using cte_test::same_text;

namespace {

// What the handler saw, copied while the Context is alive (after resume it is dead stack).
cte::Event last_event;
struct Snapshot {
  std::uintptr_t sp = 0;
  bool interrupts_enabled = true;
  cte::EventKind redecoded = cte::EventKind::none;
} last;

cte::Context *record_and_resume(cte::Event event, cte::Context *context) {
  last_event = event;
  last.sp = context->sp();
  last.interrupts_enabled = context->interrupts_enabled();
  last.redecoded = cte::TargetIsa::decode(context->frame()).kind;
  return context;
}

cte::Context *echo_syscall(cte::Event event, cte::Context *context) {
  last_event = event;
  if (event.kind == cte::EventKind::syscall) {
    std::uintptr_t sum = context->syscall_number() * 1000000;
    for (unsigned i = 0; i < 6; ++i) sum += context->arg(i) * (i + 1);
    context->set_return(sum);
  }
  return context;
}

}  // namespace

CTE_TEST_CASE("cte_init rejects a null handler and accepts a real one") {
  CTE_REQUIRE(!cte::cte_init(nullptr));
  CTE_REQUIRE(cte::cte_init(record_and_resume));
}

CTE_TEST_CASE("yield reaches the handler as EventKind::yield and resumes the same context") {
  cte::cte_init(record_and_resume);
  cte::iset(false);
  last_event = {};
  cte::yield();
  CTE_CHECK(last_event.kind == cte::EventKind::yield);
  CTE_CHECK(same_text(last_event.msg, "yield"));
  CTE_CHECK(last.redecoded == cte::EventKind::yield);  // decoding the saved frame again agrees
  CTE_CHECK(!last.interrupts_enabled);                 // yielded with interrupts disabled
  // The saved stack pointer belongs to this thread's stack.
  int local = 0;
  const auto here = reinterpret_cast<std::uintptr_t>(&local);
  CTE_CHECK(last.sp < here + 4096);
  CTE_CHECK(last.sp > here - 64 * 1024);
}

CTE_TEST_CASE("the handler sees the ISA's raw cause for yield consistently") {
  cte::cte_init(record_and_resume);
  cte::yield();
  const auto first_cause = last_event.cause;
  cte::yield();
  CTE_CHECK_EQ(last_event.cause, first_cause);
}

CTE_TEST_CASE("syscall passes number and six arguments in the ISA convention, and set_return takes effect") {
  cte::cte_init(echo_syscall);
  const std::uintptr_t result = cte::syscall(7, 1, 2, 3, 4, 5, 6);
  CTE_CHECK(last_event.kind == cte::EventKind::syscall);
  CTE_CHECK_EQ(result, 7000000u + 1 + 4 + 9 + 16 + 25 + 36);
  CTE_CHECK_EQ(cte::syscall(0), 0u);
  CTE_CHECK_EQ(cte::syscall(123456, 0xffffffffffffffffull), 123456000000ull + 0xffffffffffffffffull);
}

namespace {
std::uintptr_t received_arg = 0;
bool thread_ran = false;
bool thread_saw_interrupts_enabled = false;
cte::Context *boot_context = nullptr;
cte::Context *arg_thread = nullptr;

cte::Context *run_thread_once(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::yield) return context;
  if (!boot_context) {
    boot_context = context;
    return arg_thread;
  }
  return boot_context;
}

void receive_arg(void *arg) {
  received_arg = reinterpret_cast<std::uintptr_t>(arg);
  thread_saw_interrupts_enabled = cte::ienabled();
  cte::iset(false);  // no stray tick in the rest of the test
  thread_ran = true;
  cte::yield();
}
cte_test::StaticStack<cte_test::thread_stack_size> arg_stack;
}  // namespace

CTE_TEST_CASE("a kcontext thread receives its argument and starts with interrupts enabled") {
  boot_context = nullptr;
  cte::iset(false);
  arg_thread = cte::kcontext(arg_stack.area(), receive_arg, reinterpret_cast<void *>(0xfeedface));
  CTE_REQUIRE(arg_thread != nullptr);
  CTE_CHECK(arg_thread->interrupts_enabled());
  CTE_CHECK_EQ(arg_thread->stack_start(), reinterpret_cast<std::uintptr_t>(arg_stack.area().start));
  CTE_CHECK_EQ(arg_thread->stack_end(), reinterpret_cast<std::uintptr_t>(arg_stack.area().end));
  // The Context lives inside its stack area, at the top.
  CTE_CHECK(cte::area_contains(arg_stack.area(), arg_thread));
  CTE_CHECK(arg_thread->sp() % 8 == 0);
  cte::cte_init(run_thread_once);
  cte::yield();
  CTE_CHECK(thread_ran);
  CTE_CHECK_EQ(received_arg, 0xfeedfaceu);
  CTE_CHECK(thread_saw_interrupts_enabled);
  CTE_CHECK(!cte::ienabled());  // the boot context's own state came back
}

namespace {
cte::Context *resume_with_return_value(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) context->set_return(0x1234);
  return context;
}
}  // namespace

CTE_TEST_CASE("a handler that changes the return register of the context it resumes takes effect") {
  cte::cte_init(resume_with_return_value);
  CTE_CHECK_EQ(cte::syscall(99, 0), 0x1234u);
  cte::cte_init(echo_syscall);
  CTE_CHECK_EQ(cte::syscall(1, 1), 1000001u);
}

CTE_TEST_CASE("kcontext rejects bad stacks with a clear error") {
  constexpr std::size_t size = 2 * cte::kcontext_min_stack;
  alignas(16) static unsigned char memory[size];
  const cte::Area good{memory, memory + cte::kcontext_min_stack};
  CTE_CHECK(cte::kcontext_check(good) == cte::StackError::ok);
  CTE_CHECK(cte::kcontext(good, receive_arg, nullptr) != nullptr);

  const cte::Area null_area{nullptr, nullptr};
  CTE_CHECK(cte::kcontext_check(null_area) == cte::StackError::null_area);
  CTE_CHECK(cte::kcontext(null_area, receive_arg, nullptr) == nullptr);

  const cte::Area reversed{memory + 4096, memory};
  CTE_CHECK(cte::kcontext_check(reversed) == cte::StackError::null_area);

  const cte::Area misaligned_end{memory, memory + size - 8};
  CTE_CHECK(cte::kcontext_check(misaligned_end) == cte::StackError::misaligned);
  CTE_CHECK(cte::kcontext(misaligned_end, receive_arg, nullptr) == nullptr);
  const cte::Area misaligned_start{memory + 4, memory + size};
  CTE_CHECK(cte::kcontext_check(misaligned_start) == cte::StackError::misaligned);

  const cte::Area too_small{memory, memory + cte::kcontext_min_stack - 16};
  CTE_CHECK(cte::kcontext_check(too_small) == cte::StackError::too_small);
  CTE_CHECK(cte::kcontext(too_small, receive_arg, nullptr) == nullptr);

  CTE_CHECK(cte::kcontext(good, nullptr, nullptr) == nullptr);
  CTE_CHECK(same_text(cte::to_string(cte::StackError::too_small), "stack area too small"));
}

CTE_TEST_CASE("iset and ienabled track the interrupt-enable flag, and yield preserves it per thread") {
  cte::cte_init(record_and_resume);
  cte::iset(false);
  CTE_CHECK(!cte::ienabled());
  cte::yield();
  CTE_CHECK(!last.interrupts_enabled);
  CTE_CHECK(!cte::ienabled());
  cte::iset(true);
  CTE_CHECK(cte::ienabled());
  cte::yield();
  const bool after = cte::ienabled();
  cte::iset(false);
  CTE_CHECK(last.interrupts_enabled);
  CTE_CHECK(after);
}

namespace {
bool ienabled_inside_handler = true;
cte::Context *probe_ienabled(cte::Event, cte::Context *context) {
  ienabled_inside_handler = cte::ienabled();
  context->set_interrupts_enabled(false);  // the resumed thread gets the state its Context holds
  return context;
}
}  // namespace

CTE_TEST_CASE("the handler runs with interrupts disabled and the Context's state is restored on resume") {
  cte::cte_init(probe_ienabled);
  cte::iset(true);
  cte::yield();
  CTE_CHECK(!ienabled_inside_handler);
  CTE_CHECK(!cte::ienabled());
}

CTE_TEST_CASE("every EventKind has a name") {
  using cte::EventKind;
  const EventKind kinds[] = {EventKind::none,           EventKind::yield,
                             EventKind::syscall,        EventKind::irq_timer,
                             EventKind::irq_external,   EventKind::irq_software,
                             EventKind::page_fault,     EventKind::access_fault,
                             EventKind::misaligned,     EventKind::illegal_instruction,
                             EventKind::breakpoint,     EventKind::divide_by_zero,
                             EventKind::floating_point, EventKind::stack_overflow,
                             EventKind::error};
  for (auto kind : kinds) CTE_CHECK(!same_text(cte::to_string(kind), "unknown"));
  CTE_CHECK(same_text(cte::to_string(EventKind::page_fault), "page_fault"));
  CTE_CHECK(cte::is_interrupt(EventKind::irq_timer));
  CTE_CHECK(!cte::is_interrupt(EventKind::yield));
}

namespace {
bool accessors_ok = false;
cte::Context *exercise_accessors(cte::Event, cte::Context *context) {
  const auto saved_pc = context->pc();
  context->set_pc(saved_pc + 4);
  accessors_ok = context->pc() == saved_pc + 4;
  context->set_pc(saved_pc);
  for (unsigned i = 0; i < cte::TargetIsa::syscall_arg_count; ++i) {
    context->set_arg(i, 100 + i);
    accessors_ok = accessors_ok && context->arg(i) == 100 + i;
  }
  context->set_return(5);
  accessors_ok = accessors_ok && context->return_value() == 5;
  return context;
}
}  // namespace

CTE_TEST_CASE("Context accessors write through to the ISA frame") {
  cte::cte_init(exercise_accessors);
  cte::yield();
  CTE_CHECK(accessors_ok);
}

namespace {
int handled = 0;
cte::Context *count(cte::Event, cte::Context *context) {
  ++handled;
  return context;
}
}  // namespace

CTE_TEST_CASE("traps before any handler change: cte_init may replace the handler") {
  cte::cte_init(record_and_resume);
  cte::cte_init(count);
  handled = 0;
  cte::yield();
  cte::syscall(1);
  CTE_CHECK_EQ(handled, 2);
}

// --- yield-os and other kernels of kcontext threads
using cte_test::RoundRobin;

namespace {
char trace[32];
int trace_length = 0;
void letter_thread(void *letter) {
  for (;;) {
    trace[trace_length++] = *static_cast<const char *>(letter);
    if (trace_length == 20) RoundRobin::finish();
    cte::yield();
  }
}
cte_test::StaticStack<cte_test::thread_stack_size> letter_stacks[2];
}  // namespace

CTE_TEST_CASE("yield-os: two kcontext threads alternate ABAB and the boot context is never resumed") {
  RoundRobin::reset();
  trace_length = 0;
  RoundRobin::add(cte::kcontext(letter_stacks[0].area(), letter_thread, const_cast<char *>("A")));
  RoundRobin::add(cte::kcontext(letter_stacks[1].area(), letter_thread, const_cast<char *>("B")));
  RoundRobin::run();
  trace[trace_length] = 0;
  CTE_CHECK(same_text(trace, "ABABABABABABABABABAB"));
  CTE_CHECK_EQ(RoundRobin::boot_resumes, 1);  // only when the threads were done
}

namespace {
// Many switches among many threads; fewer on the boards, where QEMU runs the kernel.
constexpr long total_switches = cte_test::bare_metal ? 20000 : 1000000;
constexpr int counting_threads = cte_test::bare_metal ? 10 : 100;
long runs_per_thread[counting_threads];
void counting_thread(void *index) {
  auto &runs = runs_per_thread[reinterpret_cast<std::uintptr_t>(index)];
  for (;;) {
    ++runs;
    if (RoundRobin::switches >= total_switches) RoundRobin::finish();
    cte::yield();
  }
}
constexpr std::size_t counting_stack_size = (cte::kcontext_min_stack + 4096 + 15) / 16 * 16;
cte_test::StaticStack<counting_stack_size> counting_stacks[counting_threads];
}  // namespace

CTE_TEST_CASE("yield switches across many kcontext threads, fair (10^6 over 100 hosted, 20000 over 10 on boards)") {
  RoundRobin::reset();
  for (int i = 0; i < counting_threads; ++i) {
    runs_per_thread[i] = 0;
    CTE_REQUIRE(
        RoundRobin::add(cte::kcontext(counting_stacks[i].area(), counting_thread, reinterpret_cast<void *>(i))));
  }
  RoundRobin::run();
  CTE_CHECK_EQ(RoundRobin::switches, total_switches);
  long total_runs = 0;
  for (long runs : runs_per_thread) {
    CTE_CHECK(runs >= total_switches / counting_threads - 1);
    CTE_CHECK(runs <= total_switches / counting_threads + 1);
    total_runs += runs;
  }
  CTE_CHECK_EQ(total_runs, total_switches);
}

namespace {
cte::Context *finished_boot = nullptr;
cte::Context *returning_thread = nullptr;
cte::Event finished_event;
bool returned_thread_started = false;

cte::Context *catch_returning_thread(cte::Event event, cte::Context *context) {
  if (!finished_boot) {
    finished_boot = context;
    return returning_thread;
  }
  finished_event = event;
  return finished_boot;
}
void returns_immediately(void *) { returned_thread_started = true; }
cte_test::StaticStack<cte_test::thread_stack_size> returning_stack;
}  // namespace

CTE_TEST_CASE("a kcontext thread whose entry returns becomes an EventKind::error event") {
  finished_boot = nullptr;
  returning_thread = cte::kcontext(returning_stack.area(), returns_immediately, nullptr);
  cte::cte_init(catch_returning_thread);
  cte::yield();
  CTE_CHECK(returned_thread_started);
  CTE_CHECK(finished_event.kind == cte::EventKind::error);
  CTE_CHECK(same_text(finished_event.msg, "kcontext thread returned from its entry function"));
}

namespace {
cte::Context *ping_boot = nullptr;
cte::Context *ping_thread = nullptr;
bool in_thread = false;
int pongs = 0;

cte::Context *ping_pong(cte::Event, cte::Context *context) {
  (in_thread ? ping_thread : ping_boot) = context;
  in_thread = !in_thread;
  return in_thread ? ping_thread : ping_boot;
}
void pong(void *) {
  for (;;) {
    ++pongs;
    cte::yield();
  }
}
cte_test::StaticStack<cte_test::thread_stack_size> pong_stack;
}  // namespace

CTE_TEST_CASE("a Context saved earlier is resumed again and again (boot <-> thread ping-pong)") {
  ping_thread = cte::kcontext(pong_stack.area(), pong, nullptr);
  pongs = 0;
  in_thread = false;
  cte::cte_init(ping_pong);
  for (int i = 1; i <= 1000; ++i) {
    cte::yield();
    CTE_REQUIRE_EQ(pongs, i);
  }
}
