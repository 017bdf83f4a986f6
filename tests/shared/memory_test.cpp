// Pages on every platform: GuardedStack's shape and refusals, ProtectedPage faults and repair,
// pages returning to the platform; and the interrupts the kernel raises itself (software
// interrupt, loopback device line) with their deferral rules.

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdint>

#include "support/cte_test.hpp"

namespace {

using cte::EventKind;

auto address(const void *pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

// What the handler saw of the last memory fault; it makes the page accessible so the access
// is retried. Volatile: the handler runs in the middle of a plain load or store, which the
// compiler does not see as a call.
struct FaultRecord {
  EventKind kind = EventKind::none;
  std::uintptr_t ref = 0;
  unsigned count = 0;
};
volatile FaultRecord fault;
void forget_fault() {
  fault.kind = EventKind::none;
  fault.ref = 0;
  fault.count = 0;
}
cte::ProtectedPage *volatile page_to_repair = nullptr;

cte::Context *repair_page(cte::Event event, cte::Context *context) {
  if (cte::is_memory_protection_fault(event.kind) && page_to_repair) {
    fault.kind = event.kind;
    fault.ref = event.ref;
    fault.count = fault.count + 1;
    page_to_repair->set_accessible(true);
  }
  return context;
}

struct InterruptRecord {
  unsigned software = 0, external = 0, other = 0;
  std::uintptr_t external_ref = 0;
};
volatile InterruptRecord seen;

cte::Context *count_interrupts(cte::Event event, cte::Context *context) {
  if (event.kind == EventKind::irq_software) {
    seen.software = seen.software + 1;
  } else if (event.kind == EventKind::irq_external) {
    seen.external = seen.external + 1;
    seen.external_ref = event.ref;
    if (event.ref == cte::loopback_irq::source()) cte::loopback_irq::acknowledge();
  } else if (event.kind != EventKind::irq_timer) {
    seen.other = seen.other + 1;
  }
  return context;
}

}  // namespace

CTE_TEST_CASE("GuardedStack: a usable kcontext stack, its guard below it or in its lowest bytes") {
  cte::GuardedStack stack(16 * 1024);
  CTE_REQUIRE(stack.valid());
  const auto start = address(stack.area().start), end = address(stack.area().end);
  CTE_CHECK(end - start >= 16 * 1024);
  CTE_CHECK(end % cte::TargetPlatform::page_size() == 0);
  CTE_CHECK(cte::kcontext_check(stack.area()) == cte::StackError::ok);
  const auto guard_start = address(stack.guard().start), guard_end = address(stack.guard().end);
  CTE_CHECK(guard_end > guard_start);
  if (cte::TargetPlatform::stack_guard_in_area) {
    CTE_CHECK_EQ(guard_start, start);
    CTE_CHECK(guard_end < end);
    CTE_CHECK(end - guard_end >= 16 * 1024);  // the size asked for is above the guard
  } else {
    CTE_CHECK_EQ(guard_end, start);
  }
}

CTE_TEST_CASE("GuardedStack: sizes 0 and too large to round are refused, and the refusal is clean") {
  cte::GuardedStack empty(0);
  CTE_CHECK(!empty.valid());
  CTE_CHECK(empty.area().start == nullptr);
  CTE_CHECK(empty.guard().start == nullptr);
  cte::GuardedStack huge(SIZE_MAX - 16);
  CTE_CHECK(!huge.valid());
  CTE_CHECK(huge.area().start == nullptr);
}

CTE_TEST_CASE("GuardedStack: pages return to the platform when a stack is destroyed") {
  // Far more stacks, one after another, than a board's page pool holds at once.
  for (int round = 0; round < 64; ++round) {
    cte::GuardedStack stack(32 * 1024);
    CTE_REQUIRE(stack.valid());
  }
}

CTE_TEST_CASE("ProtectedPage: a load and a store fault with the address, and the access is retried") {
  cte::cte_init(repair_page);
  cte::ProtectedPage page;
  CTE_REQUIRE(page.valid());
  CTE_CHECK_EQ(cte::area_size(page.area()), cte::ProtectedPage::size());
  page_to_repair = &page;
  auto *bytes = static_cast<unsigned char *>(page.area().start);

  forget_fault();
  const std::uint64_t loaded = *reinterpret_cast<volatile std::uint64_t *>(bytes + 64);
  CTE_CHECK_EQ(fault.count, 1u);
  CTE_CHECK(cte::is_memory_protection_fault(fault.kind));
  CTE_CHECK_EQ(fault.ref, address(bytes + 64));
  CTE_CHECK_EQ(loaded, 0u);

  CTE_REQUIRE(page.set_accessible(false));
  forget_fault();
  *reinterpret_cast<volatile std::uint64_t *>(bytes + 128) = 0x1234;
  CTE_CHECK_EQ(fault.count, 1u);
  CTE_CHECK_EQ(fault.ref, address(bytes + 128));
  CTE_CHECK_EQ(*reinterpret_cast<volatile std::uint64_t *>(bytes + 128), 0x1234u);

  // Accessible: no fault at all.
  forget_fault();
  *reinterpret_cast<volatile std::uint64_t *>(bytes + 256) = 1;
  CTE_CHECK_EQ(fault.count, 0u);
  page_to_repair = nullptr;
}

CTE_TEST_CASE("ProtectedPage: several at once are distinct; when protection runs out, valid() says so") {
  // riscv64 virt M-mode has four PMP entries for protected pages; elsewhere all six succeed.
  cte::ProtectedPage pages[6];
  unsigned valid = 0;
  for (const auto &page : pages) valid += page.valid() ? 1 : 0;
  CTE_CHECK(valid >= 4);
  for (unsigned i = 0; i < 6; ++i)
    for (unsigned j = i + 1; j < 6; ++j)
      if (pages[i].valid() && pages[j].valid()) CTE_CHECK(pages[i].area().start != pages[j].area().start);
}

CTE_TEST_CASE("raise_software_interrupt: taken at once when enabled, held while disabled, taken at iset(true)") {
  cte::cte_init(count_interrupts);
  cte::iset(true);
  seen.software = 0;
  cte::raise_software_interrupt();
  for (int spin = 0; spin < 1000000 && seen.software == 0; ++spin) {
  }
  CTE_CHECK_EQ(seen.software, 1u);

  cte::iset(false);
  cte::raise_software_interrupt();
  cte::raise_software_interrupt();  // two raises before it is taken: one interrupt
  CTE_CHECK(cte::interrupt_pending());
  CTE_CHECK_EQ(seen.software, 1u);
  cte::iset(true);
  CTE_CHECK_EQ(seen.software, 2u);
  CTE_CHECK(!cte::interrupt_pending());
  CTE_CHECK_EQ(seen.other, 0u);
}

CTE_TEST_CASE("loopback_irq: the platform's device raises irq_external with its source; acknowledged once") {
  cte::cte_init(count_interrupts);
  cte::iset(true);
  seen.external = 0;
  seen.external_ref = 0;
  CTE_REQUIRE(cte::loopback_irq::raise());
  for (long spin = 0; spin < 2000000000 && seen.external == 0; ++spin) {
  }
  CTE_CHECK_EQ(seen.external, 1u);
  CTE_CHECK_EQ(seen.external_ref, cte::loopback_irq::source());
  // Acknowledged: it does not come again.
  for (int spin = 0; spin < 1000000; ++spin) {
  }
  CTE_CHECK_EQ(seen.external, 1u);
  CTE_CHECK_EQ(seen.other, 0u);
}
