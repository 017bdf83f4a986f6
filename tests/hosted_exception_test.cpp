// Hosted hardware exceptions: each class reaches the handler as the same Event a bare-metal
// kernel would see, with a Context holding the faulting code's registers; the handler can step
// over the instruction, fix the cause up, or switch to another Context.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <trap_probes.hpp>

#include "support/stacks.hpp"

namespace {

constexpr int rounds = 1000;

struct Seen {
  cte::EventKind kind = cte::EventKind::none;
  std::uintptr_t ref = 0;
  std::uintptr_t pc = 0;
  int count = 0;
  bool skipped = true;
} seen;

cte::Context *skip_and_resume(cte::Event event, cte::Context *context) {
  seen.kind = event.kind;
  seen.ref = event.ref;
  seen.pc = context->pc();
  ++seen.count;
  seen.skipped = seen.skipped && cte::skip_instruction(context);
  return context;
}

void reset() { seen = Seen{}; }

}  // namespace

TEST_CASE("hosted: illegal instruction -> illegal_instruction, resumed 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_illegal_instruction();
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::illegal_instruction);
  CHECK(seen.skipped);
  CHECK(seen.pc == reinterpret_cast<std::uintptr_t>(&cte_test_illegal_instruction));
}

TEST_CASE("hosted: breakpoint -> breakpoint with pc at the breakpoint, resumed 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_breakpoint();
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::breakpoint);
  CHECK(seen.pc == reinterpret_cast<std::uintptr_t>(&cte_test_breakpoint));
}

TEST_CASE("hosted: integer divide by zero -> divide_by_zero, resumed 1000 times") {
  if constexpr (!cte_test::has_divide_by_zero_trap) {
    WARN("this ISA has no divide-by-zero trap (integer division by zero returns a defined value)");
    return;
  }
  cte::cte_init([](cte::Event event, cte::Context *context) -> cte::Context * {
    seen.kind = event.kind;
    ++seen.count;
    context->set_return(0xd1d);  // the fix-up: the quotient the program gets instead
    cte::skip_instruction(context);
    return context;
  });
  reset();
  std::uint64_t sum = 0;
  volatile std::uint64_t zero = 0;
  for (int i = 0; i < rounds; ++i) sum += cte_test_divide(100, zero);
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::divide_by_zero);
  CHECK(sum == 0xd1dull * rounds);
  CHECK(cte_test_divide(100, 7) == 14);
}

TEST_CASE("hosted: misaligned access -> misaligned with the address, resumed 1000 times") {
  if constexpr (!cte_test::has_misaligned_trap) {
    WARN("misaligned loads do not trap in this ISA's hosted (Linux user) environment");
    return;
  }
  cte::cte_init(skip_and_resume);
  reset();
  alignas(16) static unsigned char buffer[64];
  for (int i = 0; i < rounds; ++i) cte_test_misaligned_load(buffer + 1);
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::misaligned);
  if constexpr (cte_test::misaligned_reports_address) CHECK(seen.ref == reinterpret_cast<std::uintptr_t>(buffer + 1));
}

namespace {
unsigned char *guarded_page = nullptr;
std::size_t page_size = 0;

cte::Context *map_on_demand(cte::Event event, cte::Context *context) {
  seen.kind = event.kind;
  seen.ref = event.ref;
  ++seen.count;
  // The fix-up: make the page accessible and run the faulting instruction again.
  if (event.kind == cte::EventKind::page_fault) ::mprotect(guarded_page, page_size, PROT_READ | PROT_WRITE);
  return context;
}
}  // namespace

TEST_CASE("hosted: page fault -> page_fault with the fault address; fixed up and retried 1000 times") {
  page_size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void *memory = ::mmap(nullptr, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(memory != MAP_FAILED);
  guarded_page = static_cast<unsigned char *>(memory);
  cte::cte_init(map_on_demand);
  reset();
  bool all_seen_right = true;
  for (int i = 0; i < rounds; ++i) {
    ::mprotect(guarded_page, page_size, PROT_NONE);
    volatile unsigned char *target = guarded_page + (i % 64) * 8;
    *target = static_cast<unsigned char>(i);  // faults, is fixed up, then completes
    all_seen_right = all_seen_right && seen.ref == reinterpret_cast<std::uintptr_t>(target) &&
                     *target == static_cast<unsigned char>(i);
  }
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::page_fault);
  CHECK(all_seen_right);
  ::munmap(memory, page_size);
}

namespace {
// A file mapping past the end of its file: touching it is a bus error (no backing store).
struct TruncatedMapping {
  unsigned char *address = nullptr;
  std::size_t size = 0;
  TruncatedMapping() {
    std::FILE *file = std::tmpfile();
    if (!file) return;
    size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void *memory = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, ::fileno(file), 0);
    std::fclose(file);
    if (memory != MAP_FAILED) address = static_cast<unsigned char *>(memory);
  }
  ~TruncatedMapping() {
    if (address) ::munmap(address, size);
  }
};
}  // namespace

TEST_CASE("hosted: access to memory with no backing -> access_fault with the address, resumed 1000 times") {
  TruncatedMapping mapping;
  REQUIRE(mapping.address != nullptr);
  cte::cte_init(skip_and_resume);
  reset();
  std::uintptr_t sum = 0;
  for (int i = 0; i < rounds; ++i) sum += *static_cast<volatile unsigned char *>(mapping.address + 16);
  (void)sum;
  CHECK(seen.count == rounds);
  CHECK(seen.kind == cte::EventKind::access_fault);
  CHECK(seen.ref == reinterpret_cast<std::uintptr_t>(mapping.address + 16));
  CHECK(seen.skipped);
}

namespace {
cte::Context *boot_context = nullptr;
cte::Context *faulting_thread = nullptr;
bool thread_got_past_fault = false;

cte::Context *switch_away_on_fault(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    boot_context = context;
    return faulting_thread;
  }
  seen.kind = event.kind;
  ++seen.count;
  return boot_context;  // abandon the faulting thread: switch to another Context
}

void faulting_entry(void *) {
  cte_test_illegal_instruction();
  thread_got_past_fault = true;
  for (;;) cte::yield();
}
}  // namespace

TEST_CASE("hosted: a handler may switch to another Context instead of resuming the faulting one") {
  cte_test::Stack stack;
  faulting_thread = cte::kcontext(stack.area(), faulting_entry, nullptr);
  cte::cte_init(switch_away_on_fault);
  reset();
  cte::yield();
  CHECK(seen.count == 1);
  CHECK(seen.kind == cte::EventKind::illegal_instruction);
  CHECK_FALSE(thread_got_past_fault);
}

namespace {
std::uint64_t stack_pointer_in_handler = 0;
cte::Context *edit_registers(cte::Event, cte::Context *context) {
  stack_pointer_in_handler = context->sp();
  context->set_return(0x5eed0000 + static_cast<std::uint64_t>(seen.count++));  // the caller must see exactly this
  cte::skip_instruction(context);
  return context;
}
}  // namespace

TEST_CASE("hosted: registers the handler edits in a fault Context are what the resumed code sees") {
  cte::cte_init(edit_registers);
  reset();
  seen.count = 0;
  for (int i = 0; i < rounds; ++i) REQUIRE(cte_test_illegal_instruction() == 0x5eed0000u + static_cast<unsigned>(i));
  int local = 0;
  CHECK(stack_pointer_in_handler < reinterpret_cast<std::uintptr_t>(&local));
  CHECK(stack_pointer_in_handler > reinterpret_cast<std::uintptr_t>(&local) - 4096);
}
