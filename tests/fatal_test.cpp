// Misuse ends in a clear fatal report on stderr and SIGABRT (hosted), never in a jump into
// garbage. Each case runs in a forked child.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <csignal>
#include <string>

#include "support/child_process.hpp"
#include "support/stacks.hpp"

using cte_test::run_in_child;

namespace {
void require_fatal(const cte_test::ChildOutcome &outcome, const std::string &headline) {
  INFO("child stderr: " << outcome.stderr_text);
  CHECK(outcome.signaled);
  CHECK(outcome.signal == SIGABRT);
  CHECK(outcome.stderr_text.find("cte: fatal: " + headline) != std::string::npos);
}
}  // namespace

TEST_CASE("a handler returning nullptr is a fatal error naming the event") {
  const auto outcome = run_in_child([] {
    cte::cte_init([](cte::Event, cte::Context *) -> cte::Context * { return nullptr; });
    cte::yield();
  });
  require_fatal(outcome, "handler returned nullptr");
  CHECK(outcome.stderr_text.find("event: yield") != std::string::npos);
  CHECK(outcome.stderr_text.find("pc=0x") != std::string::npos);
}

TEST_CASE("yield before cte_init is a fatal error") {
  const auto outcome = run_in_child([] {
    cte::detail::runtime.handler = cte::detail::handler_before_init;  // a fresh program: nothing installed yet
    cte::yield();
  });
  require_fatal(outcome, "event before cte_init() installed a handler");
}

TEST_CASE("a trap inside the handler is a fatal error naming both events") {
  const auto outcome = run_in_child([] {
    cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
      cte::syscall(42);
      return context;
    });
    cte::yield();
  });
  require_fatal(outcome, "trap inside the cte handler");
  CHECK(outcome.stderr_text.find("event: yield") != std::string::npos);
  CHECK(outcome.stderr_text.find("nested event: syscall") != std::string::npos);
}

namespace {
cte::Context *returning_thread = nullptr;
cte::Context *start_then_resume_anything(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) return returning_thread;
  return context;  // resumes the finished thread: not allowed
}
}  // namespace

TEST_CASE("resuming a kcontext thread that returned from its entry is a fatal error") {
  const auto outcome = run_in_child([] {
    static cte_test::Stack stack;
    returning_thread = cte::kcontext(
        stack.area(), [](void *) {}, nullptr);
    cte::cte_init(start_then_resume_anything);
    cte::yield();
  });
  require_fatal(outcome, "handler resumed a kcontext thread that returned from its entry function");
}

TEST_CASE("a fast-switch thread returning from its entry is a fatal error") {
  const auto outcome = run_in_child([] {
    static cte_test::Stack stack;
    static cte::FastContext boot, thread;
    cte::make_fast_context(
        thread, stack.area(), [](void *) {}, nullptr);
    cte::fast_switch(boot, thread);
  });
  require_fatal(outcome, "a fast-switch thread returned from its entry function");
}
