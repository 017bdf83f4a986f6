// Hosted reliability: the attacks that once corrupted memory, hung or aborted, kept as tests
// (issue 14). Outcomes that end a process run in a forked child.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <trap_probes.hpp>

#include "support/child_process.hpp"
#include "support/stacks.hpp"

using cte_test::run_in_child;

namespace {

cte::Context *resume_and_skip(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::illegal_instruction) cte::skip_instruction(context);
  return context;
}

std::atomic<long> ticks{0};
cte::Context *count_ticks(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_timer) ++ticks;
  return context;
}

// From the handler of a signal-delivered event (it runs on the alternate signal stack).
bool reinit_ok = false;
cte::Context *reinit_from_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::illegal_instruction) {
    reinit_ok = cte::cte_init(resume_and_skip);
    cte::skip_instruction(context);
  }
  return context;
}

cte::Context *must_not_run(cte::Event, cte::Context *) {
  cte::putstr("reliability: the kernel's handler ran for another thread's fault\n");
  std::_Exit(3);
}

void *fault_on_this_thread(void *) {
  *static_cast<volatile int *>(nullptr) = 1;
  return nullptr;
}

void *init_on_this_thread(void *) {
  cte::cte_init(count_ticks);
  return nullptr;
}

// Runs `body` on a new host thread and waits for it.
void run_on_another_thread(void *(*body)(void *)) {
  pthread_t other;
  pthread_create(&other, nullptr, body, nullptr);
  pthread_join(other, nullptr);
}

}  // namespace

TEST_CASE("hosted: GuardedStack sizes that would wrap when rounded are refused") {
  cte::GuardedStack huge(SIZE_MAX);
  CHECK_FALSE(huge.valid());
  CHECK(huge.area().start == nullptr);
  cte::GuardedStack empty(0);
  CHECK_FALSE(empty.valid());
  cte::GuardedStack fine(16 * 1024);
  CHECK(fine.valid());
}

TEST_CASE("hosted: timer periods the host cannot deliver are refused") {
  cte::cte_init(count_ticks);
  for (std::uint64_t period : {1, 5, 10, 19}) CHECK_FALSE(cte::timer::start(period));
  CHECK(cte::timer::start(cte::Hosted::min_timer_period_us));
  cte::timer::stop();
}

TEST_CASE("hosted: cte_init from the handler of a signal-delivered event works") {
  reinit_ok = false;
  cte::cte_init(reinit_from_handler);
  cte_test_illegal_instruction();
  CHECK(reinit_ok);
  cte_test_illegal_instruction();  // the new handler skips it too
}

TEST_CASE("hosted: a fault on another host thread gets the default action, not the kernel's handler") {
  const auto outcome = run_in_child([] {
    cte::cte_init(must_not_run);
    run_on_another_thread(fault_on_this_thread);
    std::_Exit(4);  // not reached: the fault kills the process
  });
  // The default action kills the process with SIGSEGV; a previous handler (AddressSanitizer's,
  // in a sanitizer build) reports the fault and exits. Never the kernel's handler (exit 3),
  // never carrying on (exit 4), never a cte report.
  CHECK((outcome.signaled ? outcome.signal == SIGSEGV : outcome.exit_code != 0));
  CHECK(outcome.exit_code != 3);
  CHECK(outcome.exit_code != 4);
  CHECK(outcome.stderr_text.find("cte: fatal") == std::string::npos);
}

TEST_CASE("hosted: a second kernel thread is a clear fatal report") {
  const auto outcome = run_in_child([] {
    cte::cte_init(count_ticks);
    run_on_another_thread(init_on_this_thread);
  });
  CHECK(outcome.stderr_text.find("cte_init on a second host thread") != std::string::npos);
  CHECK(outcome.signaled);
}

TEST_CASE("hosted: after detach_kernel_thread another thread may become the kernel thread") {
  cte::cte_init(count_ticks);
  cte::hosted::detach_kernel_thread();
  stack_t current = {};
  REQUIRE(sigaltstack(nullptr, &current) == 0);
  CHECK((current.ss_flags & SS_DISABLE) != 0);  // the alternate stack was given back
  run_on_another_thread(init_on_this_thread);
  cte::hosted::detach_kernel_thread();
  cte::cte_init(count_ticks);  // and back
}

TEST_CASE("hosted: a child forked by the kernel thread keeps its ticks") {
  const auto outcome = run_in_child([] {
    cte::cte_init(count_ticks);
    cte::iset(true);
    REQUIRE(cte::timer::start(1000));
    const pid_t child = fork();
    if (child == 0) {
      ticks = 0;
      for (long spin = 0; ticks < 5 && spin < 4000000000L; ++spin) {
      }
      std::_Exit(ticks >= 5 ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    cte::timer::stop();
    cte::iset(false);
    std::_Exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
  });
  CHECK(outcome.exit_code == 0);
}

namespace {
cte::GuardedStack *wild_stack = nullptr;
cte::Context *wild_boot = nullptr;
cte::Context *wild_thread = nullptr;
cte::EventKind wild_kind = cte::EventKind::none;

cte::Context *classify_wild_access(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    if (context == wild_thread || wild_boot) return wild_boot;  // the thread is done
    wild_boot = context;
    return wild_thread;
  }
  wild_kind = event.kind;
  if (event.kind == cte::EventKind::stack_overflow) return wild_boot;  // cannot resume it
  cte::skip_instruction(context);
  return context;
}

// A store through a wild pointer into the guard page below the thread's own stack, while the
// stack pointer is far above it: a page fault, not the thread running off its stack.
void store_into_the_guard(void *) {
  *static_cast<volatile unsigned char *>(wild_stack->guard().start) = 1;
  cte::yield();
}
}  // namespace

TEST_CASE("hosted: a wild access just below a kcontext stack is a page fault, not a stack overflow") {
  cte::GuardedStack stack(64 * 1024);
  REQUIRE(stack.valid());
  wild_stack = &stack;
  wild_boot = nullptr;
  wild_kind = cte::EventKind::none;
  wild_thread = cte::kcontext(stack.area(), store_into_the_guard, nullptr);
  REQUIRE(wild_thread);
  cte::cte_init(classify_wild_access);
  cte::yield();
  CHECK(wild_kind == cte::EventKind::page_fault);
}
