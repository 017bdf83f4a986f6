// Issue 14: a Context the handler returns must be parked (frame_state::parked_tag): a stale
// (already resumed), freed or fabricated one ends in a clear fatal report instead of a resume
// of garbage; parked ones and copies of them resume as before. The fatal cases run in forked
// children (support/child_process.hpp).

#include <catch2/catch.hpp>
#include <cte/cte.hpp>
#include <cte/guarded_stack.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/child_process.hpp"
#include "support/stacks.hpp"

using cte_test::run_in_child;

namespace {

constexpr const char *not_parked_report = "cte: fatal: handler returned a Context that is not parked";

bool contains(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }

// The kernel of these cases: the main thread switches with syscall(0, context) to `context`
// (it is parked meanwhile, or a copy of it if park_main_as_copy); a yield of any other thread
// resumes the main thread and records where that thread is parked.
cte::Context *main_parked = nullptr;
cte::Context *thread_parked = nullptr;
bool park_main_as_copy = false;
alignas(cte::Context) unsigned char main_copy[sizeof(cte::Context)];
alignas(cte::Context) unsigned char thread_copy[sizeof(cte::Context)];
int thread_rounds = 0;

cte::Context *switching_kernel(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) {
    main_parked = context;
    if (park_main_as_copy) {
      std::memcpy(main_copy, static_cast<const void *>(context), sizeof(cte::Context));
      main_parked = reinterpret_cast<cte::Context *>(main_copy);
    }
    return reinterpret_cast<cte::Context *>(context->arg(0));
  }
  if (event.kind != cte::EventKind::yield) std::abort();
  thread_parked = context;
  return main_parked;
}

void switch_to(cte::Context *context) { cte::syscall(0, reinterpret_cast<std::uintptr_t>(context)); }

// Yields from 8 KiB further down its stack than its later yields, so that the Context of that
// first yield stays intact (nothing, not even the handler, reaches that far down again).
[[gnu::noinline]] void yield_deep() {
  volatile unsigned char padding[8192];
  padding[0] = 1;
  cte::yield();
  padding[sizeof padding - 1] = padding[0];
}
[[noreturn]] void deep_then_shallow(void *) {
  yield_deep();
  for (;;) {
    ++thread_rounds;
    cte::yield();
  }
}

}  // namespace

TEST_CASE("reliability: a Context already resumed, returned again, is a fatal report") {
  const auto outcome = run_in_child([] {
    cte::cte_init(switching_kernel);
    static cte_test::Stack stack;
    switch_to(cte::kcontext(stack.area(), deep_then_shallow, nullptr));  // parked in yield_deep
    cte::Context *const deep = thread_parked;
    switch_to(deep);                           // resumed: it returns from yield_deep and yields again, higher up
    if (thread_parked == deep) std::_Exit(5);  // the test's premise: a different Context now
    switch_to(deep);                           // stale: already resumed
    std::_Exit(3);
  });
  INFO(outcome.stderr_text);
  CHECK(contains(outcome.stderr_text, not_parked_report));
  CHECK(contains(outcome.stderr_text, "event: syscall"));
  CHECK(outcome.signaled);
}

TEST_CASE("reliability: a Context on a stack that was freed and reused is a fatal report") {
  const auto outcome = run_in_child([] {
    cte::cte_init(switching_kernel);
    static cte_test::Stack stack;
    switch_to(cte::kcontext(stack.area(), deep_then_shallow, nullptr));
    cte::Context *const parked = thread_parked;
    // The memory is someone else's now (for AddressSanitizer too: its poisoning of the
    // thread's frames goes with the stack).
    cte::detail::sanitizer_forget_stack(stack.area().start, cte::area_size(stack.area()));
    std::memset(stack.area().start, 0x5a, cte::area_size(stack.area()));
    switch_to(parked);
    std::_Exit(3);
  });
  INFO(outcome.stderr_text);
  CHECK(contains(outcome.stderr_text, not_parked_report));
  CHECK(outcome.signaled);
}

TEST_CASE("reliability: a Context on a stack that was unmapped is a fatal report") {
  const auto outcome = run_in_child([] {
    cte::cte_init(switching_kernel);
    auto *stack = new cte::GuardedStack(64 * 1024);
    if (!stack->valid()) std::_Exit(5);
    switch_to(cte::kcontext(stack->area(), deep_then_shallow, nullptr));
    cte::Context *const parked = thread_parked;
    delete stack;
    switch_to(parked);
    std::_Exit(3);
  });
  INFO(outcome.stderr_text);
  CHECK(contains(outcome.stderr_text, "cte: fatal: trap inside the cte handler"));
  CHECK(contains(outcome.stderr_text, "nested event: page_fault"));
  CHECK(outcome.signaled);
}

TEST_CASE("reliability: a fabricated Context is a fatal report") {
  for (const int fill : {0x00, 0xff, 0x5a}) {
    INFO("filled with " << fill);
    const auto outcome = run_in_child([fill] {
      cte::cte_init(switching_kernel);
      alignas(cte::Context) static unsigned char fabricated[sizeof(cte::Context)];
      std::memset(fabricated, fill, sizeof fabricated);
      switch_to(reinterpret_cast<cte::Context *>(fabricated));
      std::_Exit(3);
    });
    INFO(outcome.stderr_text);
    CHECK(contains(outcome.stderr_text, not_parked_report));
    CHECK(outcome.signaled);
  }
}

TEST_CASE("reliability: parked Contexts and copies of them resume") {
  cte::cte_init(switching_kernel);
  cte_test::Stack stack;
  thread_rounds = 0;
  park_main_as_copy = false;
  switch_to(cte::kcontext(stack.area(), deep_then_shallow, nullptr));  // a kcontext Context
  switch_to(thread_parked);                                            // a yield's
  CHECK(thread_rounds == 1);
  // A copy of a parked Context carries the tag: it resumes the thread in its place.
  std::memcpy(thread_copy, static_cast<const void *>(thread_parked), sizeof(cte::Context));
  switch_to(reinterpret_cast<cte::Context *>(thread_copy));
  CHECK(thread_rounds == 2);
  // A copy the handler makes of the interrupted Context before the dispatcher parks it:
  // accepted through its parked original (the main thread resumes from main_copy here).
  park_main_as_copy = true;
  for (int i = 0; i < 10; ++i) switch_to(thread_parked);
  park_main_as_copy = false;
  CHECK(thread_rounds == 12);
}
