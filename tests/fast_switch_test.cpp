// The fast cooperative switch: threads that switch directly, without the handler.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cfenv>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/stacks.hpp"

namespace {
cte::FastContext boot, producer, consumer;
std::vector<int> channel;
std::string order;

void produce(void *) {
  for (int i = 0;; ++i) {
    channel.push_back(i);
    order += 'P';
    cte::fast_switch(producer, consumer);
  }
}

void consume(void *limit) {
  int expected = 0;
  for (;;) {
    for (int value : channel) {
      if (value != expected++) {
        order += '!';
      }
    }
    channel.clear();
    order += 'C';
    if (expected == *static_cast<int *>(limit)) cte::fast_switch(consumer, boot);
    cte::fast_switch(consumer, producer);
  }
}
}  // namespace

TEST_CASE("fast switch: producer and consumer alternate and hand over every item in order") {
  cte_test::Stack producer_stack, consumer_stack;
  int limit = 5;
  REQUIRE(cte::make_fast_context(producer, producer_stack.area(), produce, nullptr));
  REQUIRE(cte::make_fast_context(consumer, consumer_stack.area(), consume, &limit));
  cte::fast_switch(boot, producer);
  CHECK(order == "PCPCPCPCPC");
}

namespace {
constexpr int fast_thread_count = 100;
constexpr long fast_total = 1000000;
cte::FastContext fast_boot;
std::vector<cte::FastContext> ring(fast_thread_count);
std::vector<long> fast_runs(fast_thread_count);
long fast_switches = 0;

void ring_thread(void *index_pointer) {
  const auto index = reinterpret_cast<std::uintptr_t>(index_pointer);
  for (;;) {
    ++fast_runs[index];
    if (++fast_switches >= fast_total) cte::fast_switch(ring[index], fast_boot);
    cte::fast_switch(ring[index], ring[(index + 1) % fast_thread_count]);
  }
}
}  // namespace

TEST_CASE("10^6 fast switches across 100 threads") {
  std::vector<std::unique_ptr<cte_test::Stack>> stacks;
  for (int i = 0; i < fast_thread_count; ++i) {
    stacks.push_back(std::make_unique<cte_test::Stack>(16 * 1024));
    REQUIRE(cte::make_fast_context(ring[static_cast<std::size_t>(i)], stacks.back()->area(), ring_thread,
                                   reinterpret_cast<void *>(static_cast<std::uintptr_t>(i))));
  }
  cte::fast_switch(fast_boot, ring[0]);
  CHECK(fast_switches == fast_total);
  for (long runs : fast_runs) CHECK(runs == fast_total / fast_thread_count);
}

TEST_CASE("make_fast_context rejects bad stacks") {
  alignas(16) static unsigned char memory[8192];
  cte::FastContext context;
  CHECK_FALSE(cte::make_fast_context(context, {nullptr, nullptr}, produce, nullptr));
  CHECK_FALSE(cte::make_fast_context(context, {memory + 8, memory + 8192}, produce, nullptr));
  CHECK_FALSE(cte::make_fast_context(context, {memory, memory + 64}, produce, nullptr));
  CHECK_FALSE(cte::make_fast_context(context, {memory, memory + 8192}, nullptr, nullptr));
  CHECK(context.state.sp == nullptr);
  CHECK(cte::make_fast_context(context, {memory, memory + 8192}, produce, nullptr));
  CHECK(context.state.sp != nullptr);
}

namespace {
cte::FastContext mixed_boot, mixed_fast;
int mixed_steps = 0;
void fast_then_back(void *) {
  for (;;) {
    ++mixed_steps;
    cte::yield();  // a fast-switch thread may also trap into the handler
    cte::fast_switch(mixed_fast, mixed_boot);
  }
}
cte::Context *resume_same(cte::Event, cte::Context *context) { return context; }
}  // namespace

TEST_CASE("fast-switch threads and yield coexist") {
  cte_test::Stack stack;
  cte::cte_init(resume_same);
  REQUIRE(cte::make_fast_context(mixed_fast, stack.area(), fast_then_back, nullptr));
  for (int i = 1; i <= 100; ++i) {
    cte::fast_switch(mixed_boot, mixed_fast);
    REQUIRE(mixed_steps == i);
  }
}

// --- The two forms (inline fast_switch, called fast_switch_call) resume each other's threads.

namespace {
cte::FastContext forms_boot, forms_thread;
enum class Form { inline_switch, call };

template <Form form, cte::FpControls controls = cte::FpControls::shared>
void switch_in(cte::FastContext &from, cte::FastContext &to) {
  if constexpr (form == Form::call)
    cte::fast_switch_call<controls>(from, to);
  else
    cte::fast_switch<controls>(from, to);
}

// Six values live across the switch: the compiler keeps them in callee-saved registers (the
// called form) or spills them (the inline form); they must all come back.
template <Form form>
[[gnu::noinline]] bool values_survive(cte::FastContext &from, cte::FastContext &to, long seed) {
  volatile long source = seed;
  const long a = source * 3, b = source * 5, c = source * 7, d = source * 11, e = source * 13, f = source * 17;
  switch_in<form>(from, to);
  return a == seed * 3 && b == seed * 5 && c == seed * 7 && d == seed * 11 && e == seed * 13 && f == seed * 17;
}

int forms_failures = 0;

template <Form form>
void forms_thread_entry(void *) {
  for (long seed = 1000;; ++seed)
    if (!values_survive<form>(forms_thread, forms_boot, seed)) ++forms_failures;
}

template <Form boot_form, Form thread_form>
void run_forms() {
  cte_test::Stack stack;
  forms_failures = 0;
  REQUIRE(cte::make_fast_context(forms_thread, stack.area(), forms_thread_entry<thread_form>, nullptr));
  for (long seed = 1; seed <= 1000; ++seed)
    if (!values_survive<boot_form>(forms_boot, forms_thread, seed)) ++forms_failures;
  CHECK(forms_failures == 0);
}
}  // namespace

TEST_CASE("fast_switch and fast_switch_call resume each other's threads with their registers") {
  run_forms<Form::inline_switch, Form::call>();
  run_forms<Form::call, Form::inline_switch>();
  run_forms<Form::call, Form::call>();
}

// --- Switching to the running thread's own FastContext returns at once, in every form.

namespace {
cte::FastContext self_boot, self_thread;
int self_thread_rounds = 0;

template <Form form, cte::FpControls controls>
void self_switches(cte::FastContext &self) {
  switch_in<form, controls>(self, self);
}

template <Form form, cte::FpControls controls>
void self_switching_thread(void *) {
  for (;;) {
    self_switches<form, controls>(self_thread);
    ++self_thread_rounds;
    switch_in<form, controls>(self_thread, self_boot);
  }
}

template <Form form, cte::FpControls controls>
void run_self_switch() {
  cte_test::Stack stack;
  self_thread_rounds = 0;
  self_switches<form, controls>(self_boot);  // the boot thread, never parked before
  REQUIRE(cte::make_fast_context(self_thread, stack.area(), self_switching_thread<form, controls>, nullptr));
  for (int i = 1; i <= 3; ++i) {
    switch_in<form, controls>(self_boot, self_thread);
    CHECK(self_thread_rounds == i);
    self_switches<form, controls>(self_boot);
  }
}
}  // namespace

TEST_CASE("fast_switch(a, a) returns at once") {
  run_self_switch<Form::inline_switch, cte::FpControls::shared>();
  run_self_switch<Form::inline_switch, cte::FpControls::per_thread>();
  run_self_switch<Form::call, cte::FpControls::shared>();
  run_self_switch<Form::call, cte::FpControls::per_thread>();
}

// --- A switch to a FastContext that make_fast_context never prepared is a fatal report.

namespace {
template <Form form>
void require_unprepared_is_fatal() {
  const auto outcome = cte_test::run_in_child([] {
    static cte::FastContext boot, never_prepared;
    switch_in<form>(boot, never_prepared);
  });
  INFO("child stderr: " << outcome.stderr_text);
  CHECK(outcome.signaled);
  CHECK(outcome.signal == SIGABRT);
  CHECK(outcome.stderr_text.find("cte: fatal: fast_switch to a FastContext that make_fast_context never prepared") !=
        std::string::npos);
}
}  // namespace

TEST_CASE("fast_switch to an unprepared FastContext is a fatal report") {
  require_unprepared_is_fatal<Form::inline_switch>();
  require_unprepared_is_fatal<Form::call>();
}

// --- fast_switch_call<FpControls::per_thread> gives each thread its own rounding mode back,
// whichever form resumes it.

namespace {
cte::FastContext rounding_boot, rounding_thread;
bool rounding_kept = false;

void rounding_call_thread(void *) {
  std::fesetround(FE_DOWNWARD);
  cte::fast_switch_call<cte::FpControls::per_thread>(rounding_thread, rounding_boot);
  rounding_kept = std::fegetround() == FE_DOWNWARD;
  for (;;) cte::fast_switch_call<cte::FpControls::per_thread>(rounding_thread, rounding_boot);
}
}  // namespace

TEST_CASE("fast_switch_call with FpControls::per_thread: each thread keeps its own rounding mode") {
  cte_test::Stack stack;
  const int original = std::fegetround();
  REQUIRE(cte::make_fast_context(rounding_thread, stack.area(), rounding_call_thread, nullptr));
  std::fesetround(FE_UPWARD);
  cte::fast_switch<cte::FpControls::per_thread>(rounding_boot, rounding_thread);
  CHECK(std::fegetround() == FE_UPWARD);
  cte::fast_switch<cte::FpControls::per_thread>(rounding_boot, rounding_thread);
  CHECK(rounding_kept);
  CHECK(std::fegetround() == FE_UPWARD);
  std::fesetround(original);
}
