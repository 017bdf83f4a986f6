// Issue 14: misuse of the API by a handler or a program must end in a clear fatal report or a
// documented answer, never in a fault inside the handler or a resume of garbage. Outcomes that
// end a process run in a forked child (support/child_process.hpp).

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include <trap_probes.hpp>

#include "support/child_process.hpp"

using cte_test::run_in_child;

namespace {

bool contains(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

// --- skip_instruction on a pc that cannot be read

struct SkipProbe {
  std::uintptr_t pc = 0;
  bool skipped = true;
  std::uintptr_t pc_after = 0;
};
SkipProbe skip_probe;

// On a syscall: points the Context at skip_probe.pc, asks skip_instruction, puts pc back.
cte::Context *skip_at_probe_pc(cte::Event event, cte::Context *context) {
  if (event.kind != cte::EventKind::syscall) return context;
  const auto resume_pc = context->pc();
  context->set_pc(skip_probe.pc);
  skip_probe.skipped = cte::skip_instruction(context);
  skip_probe.pc_after = context->pc();
  context->set_pc(resume_pc);
  return context;
}

void expect_not_skipped(std::uintptr_t pc) {
  INFO("pc " << std::hex << pc);
  skip_probe = {pc, true, 0};
  cte::syscall(1);
  CHECK_FALSE(skip_probe.skipped);
  CHECK(skip_probe.pc_after == pc);  // left alone
}

}  // namespace

TEST_CASE("reliability: skip_instruction on an unreadable pc returns false on every ISA") {
  cte::cte_init(skip_at_probe_pc);
  const std::size_t page = page_size();
  void *mapping = ::mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  // inaccessible
  REQUIRE(mapping != MAP_FAILED);
  const auto base = reinterpret_cast<std::uintptr_t>(mapping);

  expect_not_skipped(0);
  expect_not_skipped(base);
  expect_not_skipped(base + 64);
  // Never mapped in user space (the top page of the address space; an unmapped page in the
  // middle could be handed out again by another thread, e.g. a sanitizer's).
  expect_not_skipped(~std::uintptr_t{0} - page + 1);
  expect_not_skipped(~std::uintptr_t{0} - 256);

  // A readable instruction is still skipped: the resume address of this very syscall.
  skip_probe = {};
  cte::cte_init([](cte::Event event, cte::Context *context) {
    if (event.kind == cte::EventKind::syscall) {
      skip_probe.pc = context->pc();
      cte::Context *const probe = context;
      const auto resume_pc = probe->pc();
      skip_probe.skipped = cte::skip_instruction(probe);
      skip_probe.pc_after = probe->pc();
      probe->set_pc(resume_pc);
    }
    return context;
  });
  cte::syscall(1);
  CHECK(skip_probe.skipped);
  CHECK(skip_probe.pc_after > skip_probe.pc);
  ::munmap(mapping, page);
}

// The probe behind it loads the bytes with a routine whose fault the signal layer turns into
// "unreadable": right for a range that ends in an inaccessible page, from a handler that runs
// on the thread's stack (a syscall) and from one that runs on the alternate signal stack (a
// hardware trap, where the probe's fault nests in the trap's signal), again and again.
namespace {
struct ProbeAnswers {
  int wrong = 0, asked = 0;
};
ProbeAnswers probe_answers;
std::uintptr_t probe_readable = 0, probe_unreadable = 0;

void ask_probe() {
  const auto expect = [](std::uintptr_t address, std::size_t size, bool answer) {
    ++probe_answers.asked;
    if (cte::TargetPlatform::code_readable(address, size) != answer) ++probe_answers.wrong;
  };
  expect(probe_readable, 15, true);
  expect(probe_unreadable, 15, false);
  expect(probe_unreadable - 8, 16, false);  // the last 8 bytes of the page before, then the inaccessible one
  expect(probe_unreadable - 8, 8, true);
  expect(0, 1, false);
}

cte::Context *probe_in_handler(cte::Event event, cte::Context *context) {
  ask_probe();
  if (event.kind == cte::EventKind::illegal_instruction && !cte::skip_instruction(context)) ++probe_answers.wrong;
  return context;
}
}  // namespace

TEST_CASE("reliability: the readability probe survives inaccessible memory, in every kind of handler") {
  const std::size_t page = page_size();
  auto *mapping = static_cast<unsigned char *>(
      ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  REQUIRE(mapping != MAP_FAILED);
  REQUIRE(::mprotect(mapping + page, page, PROT_NONE) == 0);
  probe_readable = reinterpret_cast<std::uintptr_t>(mapping);
  probe_unreadable = reinterpret_cast<std::uintptr_t>(mapping + page);
  probe_answers = {};
  cte::cte_init(probe_in_handler);
  for (int i = 0; i < 100; ++i) {
    cte::syscall(1);
    cte_test_illegal_instruction();
  }
  CHECK(probe_answers.asked == 100 * 2 * 5);
  CHECK(probe_answers.wrong == 0);
  ::munmap(mapping, 2 * page);
}

// --- Context::arg / set_arg past the six arguments, putstr(nullptr)

namespace {
cte::Context *read_argument_six(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) context->set_return(context->arg(6));
  return context;
}
cte::Context *write_argument_seven(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::syscall) context->set_arg(7, 1);
  return context;
}
}  // namespace

TEST_CASE("reliability: Context::arg and set_arg past index 5 are a clear fatal report") {
  const auto read = run_in_child([] {
    cte::cte_init(read_argument_six);
    cte::syscall(1);
    std::_Exit(4);
  });
  CHECK(contains(read.stderr_text, "cte: fatal: Context::arg/set_arg index 6 out of range"));
  CHECK(read.signaled);
  const auto write = run_in_child([] {
    cte::cte_init(write_argument_seven);
    cte::syscall(1);
    std::_Exit(4);
  });
  CHECK(contains(write.stderr_text, "cte: fatal: Context::arg/set_arg index 7 out of range"));
  CHECK(write.signaled);
}

TEST_CASE("reliability: putstr(nullptr) prints (null) instead of faulting") {
  const auto outcome = run_in_child([] {
    ::dup2(2, 1);  // the console is stdout: collect it with the child's stderr
    cte::putstr("[");
    cte::putstr(nullptr);
    cte::putstr("]");
  });
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.stderr_text == "[(null)]");
}

// --- two kernel threads at once

namespace {
void *become_kernel_thread(void *) {
  cte::cte_init([](cte::Event, cte::Context *context) { return context; });
  return nullptr;
}
// While the kernel thread runs its handler, another host thread calls cte_init.
cte::Context *start_a_second_kernel_thread(cte::Event, cte::Context *context) {
  pthread_t other;
  pthread_create(&other, nullptr, become_kernel_thread, nullptr);
  pthread_join(other, nullptr);
  return context;
}
}  // namespace

TEST_CASE("reliability: cte_init on a second thread while the first runs its handler names the real cause") {
  const auto outcome = run_in_child([] {
    cte::cte_init(start_a_second_kernel_thread);
    cte::yield();
    std::_Exit(4);
  });
  INFO(outcome.stderr_text);
  CHECK(contains(outcome.stderr_text, "cte: fatal: cte_init on a second host thread"));
  CHECK_FALSE(contains(outcome.stderr_text, "trap inside"));
  CHECK(outcome.signaled);
}
