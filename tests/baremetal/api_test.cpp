// The CTE API on bare metal: events, Context accessors, syscall convention, kcontext.
// (The bare-metal counterparts of tests/api_test.cpp and tests/yield_os_test.cpp.)

#include <cte/cte.hpp>

#include <cstdint>

#include "support/cte_test.hpp"
#include "support.hpp"

namespace {

cte::Event last_event;
struct Snapshot {
  std::uintptr_t sp = 0;
  std::uintptr_t pc = 0;
  bool interrupts_enabled = true;
  cte::EventKind redecoded = cte::EventKind::none;
} last;

cte::Context *record_and_resume(cte::Event event, cte::Context *context) {
  last_event = event;
  last.sp = context->sp();
  last.pc = context->pc();
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

// Yields from a known function (not a tail call: the asm after it keeps the call a call).
[[gnu::noinline]] void yield_from_here() {
  cte::yield();
  asm volatile("" ::: "memory");
}

bool same_text(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

}  // namespace

CTE_TEST_CASE("cte_init rejects a null handler and accepts a real one") {
  CTE_CHECK(!cte::cte_init(nullptr));
  CTE_CHECK(cte::cte_init(record_and_resume));
}

CTE_TEST_CASE("yield reaches the handler as EventKind::yield, pc after the trap, and resumes") {
  cte::cte_init(record_and_resume);
  last_event = {};
  yield_from_here();
  CTE_CHECK(last_event.kind == cte::EventKind::yield);
  CTE_CHECK(same_text(last_event.msg, "yield"));
  CTE_CHECK_EQ(last_event.cause, cte::TargetPlatform::Mode::ecall_cause);
  CTE_CHECK(last.redecoded == cte::EventKind::yield);
  CTE_CHECK(!last.interrupts_enabled);  // yielded with interrupts disabled
  // The pc is past the trapping instruction: yield is a call, so its return address, inside
  // yield_from_here (as the hosted riscv64 port records it).
  const auto caller = reinterpret_cast<std::uintptr_t>(&yield_from_here);
  CTE_CHECK(last.pc > caller && last.pc < caller + 64);
  // The saved stack pointer belongs to this thread's stack.
  int local = 0;
  const auto here = reinterpret_cast<std::uintptr_t>(&local);
  CTE_CHECK(last.sp < here + 4096);
  CTE_CHECK(last.sp > here - 64 * 1024);
}

CTE_TEST_CASE("yield with interrupts enabled: the Context says so and they come back enabled") {
  cte::cte_init(record_and_resume);
  cte::iset(true);
  cte::yield();
  const bool after = cte::ienabled();
  cte::iset(false);
  CTE_CHECK(last.interrupts_enabled);
  CTE_CHECK(after);
}

CTE_TEST_CASE("syscall passes number and six arguments in a7, a0-a5; set_return takes effect") {
  cte::cte_init(echo_syscall);
  const std::uintptr_t result = cte::syscall(7, 1, 2, 3, 4, 5, 6);
  CTE_CHECK(last_event.kind == cte::EventKind::syscall);
  CTE_CHECK_EQ(result, 7000000 + 1 + 4 + 9 + 16 + 25 + 36);
  CTE_CHECK_EQ(cte::syscall(0), 0);
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
cte_test::Stack<16 * 1024> arg_stack;
}  // namespace

CTE_TEST_CASE("a kcontext thread receives its argument and starts with interrupts enabled") {
  boot_context = nullptr;
  arg_thread = cte::kcontext(arg_stack.area(), receive_arg, reinterpret_cast<void *>(0xfeedface));
  CTE_REQUIRE(arg_thread != nullptr);
  CTE_CHECK(arg_thread->interrupts_enabled());
  CTE_CHECK_EQ(arg_thread->stack_start(), reinterpret_cast<std::uintptr_t>(arg_stack.area().start));
  CTE_CHECK_EQ(arg_thread->stack_end(), reinterpret_cast<std::uintptr_t>(arg_stack.area().end));
  CTE_CHECK(cte::area_contains(arg_stack.area(), arg_thread));
  CTE_CHECK(arg_thread->sp() % 16 == 0);
  cte::cte_init(run_thread_once);
  cte::yield();
  CTE_CHECK(thread_ran);
  CTE_CHECK_EQ(received_arg, 0xfeedface);
  CTE_CHECK(thread_saw_interrupts_enabled);  // xRET set xIE from xPIE
  CTE_CHECK(!cte::ienabled());               // the boot context's own state came back
}

CTE_TEST_CASE("kcontext rejects bad stacks with a clear error") {
  alignas(16) static unsigned char memory[64 * 1024];
  const cte::Area good{memory, memory + cte::kcontext_min_stack};
  CTE_CHECK(cte::kcontext_check(good) == cte::StackError::ok);
  CTE_CHECK(cte::kcontext(good, receive_arg, nullptr) != nullptr);
  CTE_CHECK(cte::kcontext_check({nullptr, nullptr}) == cte::StackError::null_area);
  CTE_CHECK(cte::kcontext({nullptr, nullptr}, receive_arg, nullptr) == nullptr);
  CTE_CHECK(cte::kcontext_check({memory + 4096, memory}) == cte::StackError::null_area);
  CTE_CHECK(cte::kcontext_check({memory, memory + 32 * 1024 + 8}) == cte::StackError::misaligned);
  CTE_CHECK(cte::kcontext_check({memory + 4, memory + 32 * 1024}) == cte::StackError::misaligned);
  CTE_CHECK(cte::kcontext_check({memory, memory + cte::kcontext_min_stack - 16}) == cte::StackError::too_small);
  CTE_CHECK(cte::kcontext(good, nullptr, nullptr) == nullptr);
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
cte_test::Stack<16 * 1024> returning_stack;
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
cte_test::Stack<16 * 1024> pong_stack;
}  // namespace

CTE_TEST_CASE("a Context saved earlier is resumed again and again (boot <-> thread, 1000 times)") {
  ping_thread = cte::kcontext(pong_stack.area(), pong, nullptr);
  pongs = 0;
  in_thread = false;
  cte::cte_init(ping_pong);
  for (int i = 1; i <= 1000; ++i) {
    cte::yield();
    CTE_REQUIRE_EQ(pongs, i);
  }
}

namespace {
// yield-os, the classic: two threads print A and B in turn.
char trace[32];
int trace_length = 0;
void letter_thread(void *letter) {
  for (;;) {
    trace[trace_length++] = *static_cast<const char *>(letter);
    if (trace_length == 20) cte_test::RoundRobin::finish();
    cte::yield();
  }
}
cte_test::Stack<16 * 1024> letter_stacks[2];
}  // namespace

CTE_TEST_CASE("yield-os: two kcontext threads alternate ABAB and the boot context is never resumed") {
  using cte_test::RoundRobin;
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
constexpr long total_switches = 20000;
constexpr int counting_threads = 10;
long runs_per_thread[counting_threads];
void counting_thread(void *index) {
  auto &runs = runs_per_thread[reinterpret_cast<std::uintptr_t>(index)];
  for (;;) {
    ++runs;
    if (cte_test::RoundRobin::switches >= total_switches) cte_test::RoundRobin::finish();
    cte::yield();
  }
}
cte_test::Stack<12 * 1024> counting_stacks[counting_threads];
}  // namespace

CTE_TEST_CASE("20000 yield switches across 10 kcontext threads, fair") {
  using cte_test::RoundRobin;
  RoundRobin::reset();
  for (int i = 0; i < counting_threads; ++i) {
    runs_per_thread[i] = 0;
    RoundRobin::add(cte::kcontext(counting_stacks[i].area(), counting_thread, reinterpret_cast<void *>(i)));
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
