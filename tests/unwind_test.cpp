// Hosted unwinding with the C library's backtrace() (libgcc's unwinder, .eh_frame): from inside
// the handler it walks through cte's trap stubs into the interrupted code, for a yield (the
// stub's CFI) and for a timer tick (the kernel's signal frame, then the stubs).

#include <execinfo.h>

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cstdint>

namespace {

// The interrupted code's pc as the Context has it, and whether backtrace() passed through it.
struct UnwindRecord {
  std::uintptr_t context_pc = 0;
  bool found = false;
  int depth = 0;
};
volatile bool ticked = false;
UnwindRecord record;

[[gnu::noinline]] void look_for_interrupted_pc(std::uintptr_t pc) {
  void *frames[64];
  const int depth = ::backtrace(frames, 64);
  record.context_pc = pc;
  record.depth = depth;
  for (int i = 0; i < depth; ++i)
    if (reinterpret_cast<std::uintptr_t>(frames[i]) == pc) record.found = true;
}

cte::Context *unwinding_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) look_for_interrupted_pc(context->pc());
  if (event.kind == cte::EventKind::irq_timer && !ticked) {
    look_for_interrupted_pc(context->pc());
    ticked = true;
  }
  return context;
}

[[gnu::noinline]] void spin_until_ticked() {
  while (!ticked) {
  }
}

}  // namespace

TEST_CASE("hosted: backtrace() inside the handler of a yield reaches the yielding code") {
  record = {};
  cte::cte_init(unwinding_handler);
  cte::yield();
  INFO("depth " << record.depth << ", looking for pc 0x" << std::hex << record.context_pc);
  CHECK(record.found);
}

TEST_CASE("hosted: backtrace() inside the handler of a timer tick reaches the interrupted code") {
  record = {};
  ticked = false;
  cte::cte_init(unwinding_handler);
  cte::iset(true);
  REQUIRE(cte::timer::start(1000));
  spin_until_ticked();
  cte::timer::stop();
  cte::iset(false);
  INFO("depth " << record.depth << ", looking for pc 0x" << std::hex << record.context_pc);
  CHECK(record.found);
}
