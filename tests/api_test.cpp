// The CTE API: events, Context accessors, kcontext validation, interrupt-enable state.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cstdint>
#include <string>

#include "support/stacks.hpp"

namespace {

// What the handler saw, copied while the Context is alive (after resume it is dead stack).
cte::Event last_event;
struct Snapshot {
  std::uintptr_t sp = 0;
  bool interrupts_enabled = false;
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

TEST_CASE("cte_init rejects a null handler and accepts a real one") {
  REQUIRE_FALSE(cte::cte_init(nullptr));
  REQUIRE(cte::cte_init(record_and_resume));
}

TEST_CASE("yield reaches the handler as EventKind::yield and resumes the same context") {
  cte::cte_init(record_and_resume);
  last_event = {};
  cte::yield();
  CHECK(last_event.kind == cte::EventKind::yield);
  CHECK(std::string(last_event.msg) == "yield");
  // The saved stack pointer belongs to this thread's stack.
  int local = 0;
  const auto here = reinterpret_cast<std::uintptr_t>(&local);
  CHECK(last.sp < here + 4096);
  CHECK(last.sp > here - 64 * 1024);
}

TEST_CASE("the handler sees the ISA's raw cause for yield consistently") {
  cte::cte_init(record_and_resume);
  cte::yield();
  const auto first_cause = last_event.cause;
  cte::yield();
  CHECK(last_event.cause == first_cause);
  // Decoding the saved frame again gives the same event.
  CHECK(last.redecoded == cte::EventKind::yield);
}

TEST_CASE("syscall passes number and six arguments in the ISA convention, and set_return takes effect") {
  cte::cte_init(echo_syscall);
  const std::uintptr_t result = cte::syscall(7, 1, 2, 3, 4, 5, 6);
  CHECK(last_event.kind == cte::EventKind::syscall);
  CHECK(result == 7000000 + 1 + 4 + 9 + 16 + 25 + 36);
  CHECK(cte::syscall(0) == 0);
}

namespace {
std::uintptr_t received_arg = 0;
bool thread_ran = false;
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
  thread_ran = true;
  cte::yield();
}
}  // namespace

TEST_CASE("a kcontext thread receives its argument and starts with interrupts enabled") {
  cte_test::Stack stack;
  boot_context = nullptr;
  arg_thread = cte::kcontext(stack.area(), receive_arg, reinterpret_cast<void *>(0xfeedface));
  REQUIRE(arg_thread != nullptr);
  CHECK(arg_thread->interrupts_enabled());
  CHECK(arg_thread->stack_start() == reinterpret_cast<std::uintptr_t>(stack.area().start));
  CHECK(arg_thread->stack_end() == reinterpret_cast<std::uintptr_t>(stack.area().end));
  // The Context lives inside its stack area, at the top.
  CHECK(cte::area_contains(stack.area(), arg_thread));
  CHECK(arg_thread->sp() % 8 == 0);
  cte::cte_init(run_thread_once);
  cte::yield();
  CHECK(thread_ran);
  CHECK(received_arg == 0xfeedface);
}

namespace {
cte::Context *resume_with_return_value(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) context->set_return(0x1234);
  return context;
}
}  // namespace

TEST_CASE("a handler that changes the return register of the context it resumes takes effect") {
  cte::cte_init(resume_with_return_value);
  CHECK(cte::syscall(99, 0) == 0x1234);
  cte::cte_init(echo_syscall);
  CHECK(cte::syscall(1, 1) == 1000001);
}

TEST_CASE("kcontext rejects bad stacks with a clear error") {
  alignas(16) static unsigned char memory[256 * 1024];
  const cte::Area good{memory, memory + cte::kcontext_min_stack};
  CHECK(cte::kcontext_check(good) == cte::StackError::ok);
  CHECK(cte::kcontext(good, receive_arg, nullptr) != nullptr);

  const cte::Area null_area{nullptr, nullptr};
  CHECK(cte::kcontext_check(null_area) == cte::StackError::null_area);
  CHECK(cte::kcontext(null_area, receive_arg, nullptr) == nullptr);

  const cte::Area reversed{memory + 4096, memory};
  CHECK(cte::kcontext_check(reversed) == cte::StackError::null_area);

  const cte::Area misaligned_end{memory, memory + 64 * 1024 + 8};
  CHECK(cte::kcontext_check(misaligned_end) == cte::StackError::misaligned);
  CHECK(cte::kcontext(misaligned_end, receive_arg, nullptr) == nullptr);
  const cte::Area misaligned_start{memory + 4, memory + 64 * 1024};
  CHECK(cte::kcontext_check(misaligned_start) == cte::StackError::misaligned);

  const cte::Area too_small{memory, memory + cte::kcontext_min_stack - 16};
  CHECK(cte::kcontext_check(too_small) == cte::StackError::too_small);
  CHECK(cte::kcontext(too_small, receive_arg, nullptr) == nullptr);

  CHECK(cte::kcontext(good, nullptr, nullptr) == nullptr);
  CHECK(std::string(cte::to_string(cte::StackError::too_small)) == "stack area too small");
}

TEST_CASE("iset and ienabled track the interrupt-enable flag, and yield preserves it per thread") {
  cte::cte_init(record_and_resume);
  cte::iset(false);
  CHECK_FALSE(cte::ienabled());
  cte::yield();
  CHECK_FALSE(last.interrupts_enabled);
  CHECK_FALSE(cte::ienabled());
  cte::iset(true);
  CHECK(cte::ienabled());
  cte::yield();
  CHECK(last.interrupts_enabled);
  CHECK(cte::ienabled());
  cte::iset(false);
}

namespace {
bool ienabled_inside_handler = true;
cte::Context *probe_ienabled(cte::Event, cte::Context *context) {
  ienabled_inside_handler = cte::ienabled();
  context->set_interrupts_enabled(false);  // the resumed thread gets the state its Context holds
  return context;
}
}  // namespace

TEST_CASE("the handler runs with interrupts disabled and the Context's state is restored on resume") {
  cte::cte_init(probe_ienabled);
  cte::iset(true);
  cte::yield();
  CHECK_FALSE(ienabled_inside_handler);
  CHECK_FALSE(cte::ienabled());
}

TEST_CASE("every EventKind has a name") {
  using cte::EventKind;
  for (auto kind : {EventKind::none, EventKind::yield, EventKind::syscall, EventKind::irq_timer,
                    EventKind::irq_external, EventKind::irq_software, EventKind::page_fault, EventKind::access_fault,
                    EventKind::misaligned, EventKind::illegal_instruction, EventKind::breakpoint,
                    EventKind::divide_by_zero, EventKind::floating_point, EventKind::stack_overflow,
                    EventKind::error}) {
    CHECK(std::string(cte::to_string(kind)) != "unknown");
  }
  CHECK(std::string(cte::to_string(EventKind::page_fault)) == "page_fault");
  CHECK(cte::is_interrupt(EventKind::irq_timer));
  CHECK_FALSE(cte::is_interrupt(EventKind::yield));
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

TEST_CASE("Context accessors write through to the ISA frame") {
  cte::cte_init(exercise_accessors);
  cte::yield();
  CHECK(accessors_ok);
}
