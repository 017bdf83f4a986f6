// What only the x86_64 pc board (QEMU q35) has: a non-canonical address (#GP), COM1's
// interrupt as the IOAPIC's GSI 4, and the AVX (YMM) state of preempted threads. Everything
// else runs on the pc as on every board: the shared cases of tests/baremetal and tests/shared,
// with the pc's probes and causes in tests/baremetal/x86_64/trap_probes.hpp.

#include <cte/cte.hpp>
#include <cte/loopback_irq.hpp>

#include <cstdint>

#include "support/cte_test.hpp"
#include "support/static_stack.hpp"

namespace xv = cte::x86_64::vector;

namespace {
// The faulting access below is a plain load, and the compiler does not know it traps: keep it
// after cte_init's store of the handler and before the reads of what the handler wrote.
void compiler_fence() { asm volatile("" ::: "memory"); }
cte::Event last_event{};
cte::Context *record_and_skip(cte::Event event, cte::Context *context) {
  last_event = event;
  if (!cte::is_interrupt(event.kind) && event.kind != cte::EventKind::yield) cte::skip_instruction(context);
  return context;
}
}  // namespace

CTE_TEST_CASE("pc: a non-canonical address is #GP, access_fault") {
  cte::cte_init(record_and_skip);
  last_event = {};
  compiler_fence();
  const std::uint64_t value = *reinterpret_cast<volatile std::uint64_t *>(0x8000000000000000ull);
  static_cast<void>(value);
  compiler_fence();
  CTE_CHECK(last_event.kind == cte::EventKind::access_fault);
  CTE_CHECK_EQ(last_event.cause, xv::general_protection);
}

namespace {
volatile long interrupts = 0;
cte::Context *count_external(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::irq_external) {
    last_event = event;
    interrupts = interrupts + 1;
    cte::loopback_irq::acknowledge();
  }
  return context;
}
}  // namespace

CTE_TEST_CASE("pc: COM1's transmit interrupt arrives through the IOAPIC as GSI 4 (cause and ref)") {
  cte::cte_init(count_external);
  CTE_CHECK_EQ(cte::loopback_irq::source(), 4u);
  interrupts = 0;
  CTE_REQUIRE(cte::loopback_irq::raise());
  cte::iset(true);
  for (long spin = 0; spin < 100000000 && interrupts < 1; ++spin) {
  }
  cte::iset(false);
  CTE_CHECK_EQ(interrupts, 1);
  CTE_CHECK(last_event.kind == cte::EventKind::irq_external);
  CTE_CHECK_EQ(last_event.ref, 4u);
  CTE_CHECK_EQ(last_event.cause, 4u);
}

// --- AVX: the upper halves of YMM0-15 belong to the thread, across preemption
extern "C" void cte_pc_test_hold_ymm(std::uint64_t *table, std::uint64_t iterations);
asm(".pushsection .text.cte_pc_test_hold_ymm,\"axG\",@progbits,cte_pc_test_hold_ymm,comdat\n"
    ".globl cte_pc_test_hold_ymm\n.hidden cte_pc_test_hold_ymm\n"
    "cte_pc_test_hold_ymm:\n"
    "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  vmovdqu (\\n * 32)(%rdi), %ymm\\n\n"
    "  .endr\n"
    "1:\n  dec %rsi\n  jnz 1b\n"
    "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  vmovdqu %ymm\\n, (\\n * 32)(%rdi)\n"
    "  .endr\n"
    "  vzeroupper\n"
    "  ret\n.popsection\n");

namespace {
constexpr unsigned ymm_words = 16 * 4;
volatile long ymm_ticks = 0;
volatile bool ymm_done[2] = {false, false};
bool ymm_intact[2] = {true, true};
cte::Context *ymm_threads[2] = {nullptr, nullptr};
cte::Context *ymm_boot = nullptr;
int ymm_running = -1;
cte::Context *ymm_round_robin(cte::Event event, cte::Context *context) {
  if (ymm_running < 0) {  // the boot context's yield: start thread 0
    ymm_boot = context;
    ymm_running = 0;
    return ymm_threads[0];
  }
  ymm_threads[ymm_running] = context;
  if (event.kind == cte::EventKind::irq_timer) ymm_ticks = ymm_ticks + 1;
  if (ymm_done[0] && ymm_done[1]) return ymm_boot;
  ymm_running = 1 - ymm_running;
  if (ymm_done[ymm_running]) ymm_running = 1 - ymm_running;
  return ymm_threads[ymm_running];
}
void ymm_thread(void *arg) {
  const auto id = reinterpret_cast<std::uintptr_t>(arg);
  std::uint64_t table[ymm_words];
  for (int round = 0; round < 200; ++round) {
    for (unsigned w = 0; w < ymm_words; ++w)
      table[w] = (id + 1) * 0x0123456789abcdefull ^ (w * 0x9e3779b97f4a7c15ull) ^ round;
    cte_pc_test_hold_ymm(table, 20000);
    for (unsigned w = 0; w < ymm_words; ++w)
      if (table[w] != ((id + 1) * 0x0123456789abcdefull ^ (w * 0x9e3779b97f4a7c15ull) ^ round)) ymm_intact[id] = false;
  }
  ymm_done[id] = true;
  for (;;) cte::yield();
}
cte_test::StaticStack<cte_test::thread_stack_size> ymm_stacks[2];
}  // namespace

CTE_TEST_CASE("pc: two preempted threads keep all of YMM0-15 (XSAVE state in their Contexts)") {
  for (std::uintptr_t i = 0; i < 2; ++i)
    ymm_threads[i] = cte::kcontext(ymm_stacks[i].area(), ymm_thread, reinterpret_cast<void *>(i));
  ymm_running = -1;
  ymm_ticks = 0;
  cte::cte_init(ymm_round_robin);
  CTE_REQUIRE(cte::timer::start(50));
  cte::yield();
  cte::timer::stop();
  CTE_CHECK(ymm_ticks > 20);
  CTE_CHECK(ymm_intact[0]);
  CTE_CHECK(ymm_intact[1]);
}
