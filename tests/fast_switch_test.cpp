// The fast cooperative switch: threads that switch directly, without the handler.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <memory>
#include <string>
#include <vector>

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
