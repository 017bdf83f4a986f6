// Faults that must not kill silently: a kcontext thread overflowing its (guarded) stack, and
// a fault inside the handler itself. Each runs in a forked child.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <csignal>
#include <cstdint>
#include <string>

#include <unistd.h>

#include <trap_probes.hpp>

#include "support/child_process.hpp"
#include "support/run_off_the_stack.hpp"

using cte_test::run_in_child;

namespace {

void overflowing_thread(void *) { cte_test::run_off_the_stack(0); }

cte::Context *boot = nullptr;
cte::Context *thread = nullptr;
cte::GuardedStack *guarded = nullptr;
bool resume_the_overflowed_thread = false;
bool overflow_reported_right = false;

cte::Context *overflow_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    boot = context;
    return thread;
  }
  if (event.kind == cte::EventKind::stack_overflow) {
    const bool names_thread = context->stack_start() == reinterpret_cast<std::uintptr_t>(guarded->area().start) &&
                              context->stack_end() == reinterpret_cast<std::uintptr_t>(guarded->area().end);
    const bool address_in_guard = cte::area_contains(guarded->guard(), reinterpret_cast<void *>(event.ref));
    if (resume_the_overflowed_thread) return context;
    overflow_reported_right = names_thread && address_in_guard;
    return boot;  // abandon the thread
  }
  return context;
}

}  // namespace

TEST_CASE("hosted: a kcontext thread overflowing its guarded stack -> stack_overflow naming its Context") {
  const auto outcome = run_in_child([] {
    static cte::GuardedStack stack(64 * 1024);
    guarded = &stack;
    thread = cte::kcontext(stack.area(), overflowing_thread, nullptr);
    cte::cte_init(overflow_handler);
    cte::yield();
    if (!overflow_reported_right) ::_exit(2);
  });
  INFO(outcome.stderr_text);
  CHECK_FALSE(outcome.signaled);
  CHECK(outcome.exit_code == 0);  // 2: the event did not name the thread's stack and guard
}

TEST_CASE("hosted: resuming a thread whose stack overflowed is a fatal error, not an endless loop") {
  const auto outcome = run_in_child([] {
    static cte::GuardedStack stack(64 * 1024);
    guarded = &stack;
    resume_the_overflowed_thread = true;
    thread = cte::kcontext(stack.area(), overflowing_thread, nullptr);
    cte::cte_init(overflow_handler);
    cte::yield();
  });
  INFO(outcome.stderr_text);
  CHECK(outcome.signal == SIGABRT);
  CHECK(outcome.stderr_text.find("cte: fatal: handler resumed a thread whose stack overflowed") != std::string::npos);
  CHECK(outcome.stderr_text.find("event: stack_overflow") != std::string::npos);
}

TEST_CASE("hosted: a fault inside the handler is a fatal report naming both events") {
  const auto outcome = run_in_child([] {
    cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
      cte_test_illegal_instruction();  // the handler itself faults
      return context;
    });
    cte::yield();
  });
  INFO(outcome.stderr_text);
  CHECK(outcome.signal == SIGABRT);
  CHECK(outcome.stderr_text.find("cte: fatal: trap inside the cte handler") != std::string::npos);
  CHECK(outcome.stderr_text.find("event: yield") != std::string::npos);
  CHECK(outcome.stderr_text.find("nested event: illegal_instruction") != std::string::npos);
}

TEST_CASE("hosted: a page fault inside the handler is reported too (not a silent SIGSEGV death)") {
  const auto outcome = run_in_child([] {
    cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
      static volatile std::uintptr_t unmapped = 16;  // the first page is never mapped
      *reinterpret_cast<volatile int *>(unmapped) = 1;
      return context;
    });
    cte::yield();
  });
  INFO(outcome.stderr_text);
  CHECK(outcome.signal == SIGABRT);
  CHECK(outcome.stderr_text.find("nested event: page_fault") != std::string::npos);
}
