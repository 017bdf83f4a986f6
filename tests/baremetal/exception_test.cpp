// Exceptions on bare metal: each class reaches the handler as its Event (kind, raw cause,
// ref) with a Context holding the faulting code's registers, pc at the faulting instruction;
// the handler steps over it (skip_instruction) or fixes it up, 1000 times in a row.
// In S-mode, OpenSBI handles the traps it does not delegate (illegal instruction, access
// faults, misaligned accesses) and redirects them to S-mode with the same cause and tval.

#include <cte/cte.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support/cte_test.hpp"
#include "support.hpp"

namespace {

constexpr int rounds = 1000;
namespace rv = cte::riscv64;

struct Seen {
  cte::EventKind kind = cte::EventKind::none;
  std::uint64_t cause = 0;
  std::uintptr_t ref = 0;
  std::uintptr_t pc = 0;
  std::uint32_t bits_at_pc = 0;
  std::size_t length = 0;
  int count = 0;
  bool all_same = true;  // kind, cause, ref and pc identical in every round
  bool skipped = true;
} seen;

void reset() { seen = Seen{}; }

void record(const cte::Event &event, const cte::Context *context) {
  if (seen.count > 0)
    seen.all_same = seen.all_same && seen.kind == event.kind && seen.cause == event.cause && seen.ref == event.ref &&
                    seen.pc == context->pc();
  seen.kind = event.kind;
  seen.cause = event.cause;
  seen.ref = event.ref;
  seen.pc = context->pc();
  ++seen.count;
}

cte::Context *skip_and_resume(cte::Event event, cte::Context *context) {
  record(event, context);
  const auto *parcels = reinterpret_cast<const std::uint16_t *>(context->pc());
  seen.length = cte::TargetIsa::instruction_length(parcels);
  seen.bits_at_pc = seen.length == 4 ? parcels[0] | (std::uint32_t{parcels[1]} << 16) : parcels[0];
  seen.skipped = seen.skipped && cte::skip_instruction(context);
  return context;
}

std::uintptr_t address_of(void (*function)()) { return reinterpret_cast<std::uintptr_t>(function); }
std::uintptr_t address_of(std::uint64_t (*function)()) { return reinterpret_cast<std::uintptr_t>(function); }

}  // namespace

CTE_TEST_CASE("illegal instruction (4 bytes) -> illegal_instruction, tval = its bits, resumed 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_illegal_instruction();
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::illegal_instruction);
  CTE_CHECK_EQ(seen.cause, rv::cause::illegal_instruction);
  CTE_CHECK_EQ(seen.pc, address_of(&cte_test_illegal_instruction));
  CTE_CHECK_EQ(seen.length, 4);
  CTE_CHECK_EQ(seen.bits_at_pc, cte_test::unimp_encoding);
  CTE_CHECK_EQ(seen.ref, cte_test::unimp_encoding);
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}

CTE_TEST_CASE("illegal instruction (2 bytes, c.unimp) -> illegal_instruction, skipped by 2, 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_illegal_compressed();
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::illegal_instruction);
  CTE_CHECK_EQ(seen.pc, address_of(&cte_test_illegal_compressed));
  CTE_CHECK_EQ(seen.length, 2);
  CTE_CHECK_EQ(seen.bits_at_pc, 0);
  CTE_CHECK_EQ(seen.ref, 0);  // the instruction's 16 bits, zero-extended
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}

namespace {
// 1000 breakpoints from `probe`, each stepped over: pc at the breakpoint, `length` bytes long.
void check_breakpoints(void (*probe)(), std::uint64_t length) {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) probe();
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::breakpoint);
  CTE_CHECK_EQ(seen.cause, rv::cause::breakpoint);
  CTE_CHECK_EQ(seen.pc, address_of(probe));
  CTE_CHECK_EQ(seen.length, length);
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}
}  // namespace

CTE_TEST_CASE("breakpoint (4-byte ebreak) -> breakpoint with pc at it, resumed 1000 times") {
  check_breakpoints(cte_test_breakpoint, 4);
}

CTE_TEST_CASE("breakpoint (2-byte c.ebreak) -> breakpoint with pc at it, resumed 1000 times") {
  check_breakpoints(cte_test_breakpoint_compressed, 2);
}

namespace {
alignas(16) std::uint64_t aligned_words[4] = {0x1122334455667788, 0x99aabbccddeeff00, 0, 0};
const unsigned char *misaligned() { return reinterpret_cast<const unsigned char *>(aligned_words) + 1; }
}  // namespace

CTE_TEST_CASE("misaligned ld/sd do not trap on QEMU virt: the hart performs them") {
  // QEMU implements misaligned ordinary loads and stores in hardware (as the spec allows), in
  // M-mode and S-mode alike: no event, the right value.
  cte::cte_init(skip_and_resume);
  reset();
  const std::uint64_t value = cte_test_load(misaligned());
  CTE_CHECK_EQ(seen.count, 0);
  CTE_CHECK_EQ(value, 0x0011223344556677ull);  // bytes 1..8, little-endian
}

CTE_TEST_CASE("misaligned lr.d -> misaligned (load address misaligned), tval = address, 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_load_reserved(misaligned());
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::misaligned);
  CTE_CHECK_EQ(seen.cause, rv::cause::load_misaligned);
  CTE_CHECK_EQ(seen.ref, reinterpret_cast<std::uintptr_t>(misaligned()));
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}

CTE_TEST_CASE("misaligned amoadd.d -> misaligned, tval = address, 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_amo_add(const_cast<unsigned char *>(misaligned()));
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::misaligned);
  // The spec says store/AMO (6); QEMU 7.2 reports an AMO's misalignment as a load's (4).
  CTE_CHECK(seen.cause == rv::cause::store_misaligned || seen.cause == rv::cause::load_misaligned);
  CTE_CHECK_EQ(seen.ref, reinterpret_cast<std::uintptr_t>(misaligned()));
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
  CTE_CHECK(aligned_words[0] == 0x1122334455667788 && aligned_words[1] == 0x99aabbccddeeff00);
}

namespace {
// Nothing answers at physical address 0 on QEMU virt: an access is an access fault.
constexpr std::uintptr_t unmapped = 0;
}  // namespace

CTE_TEST_CASE("load from unmapped physical address 0 -> access_fault (load), tval = address, 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_load(reinterpret_cast<const void *>(unmapped + 8));
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::access_fault);
  CTE_CHECK_EQ(seen.cause, rv::cause::load_access_fault);
  CTE_CHECK_EQ(seen.ref, unmapped + 8);
  CTE_CHECK_EQ(seen.pc, reinterpret_cast<std::uintptr_t>(&cte_test_load));
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}

CTE_TEST_CASE("store to unmapped physical address 0 -> access_fault (store), tval = address, 1000 times") {
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_store(reinterpret_cast<void *>(unmapped + 16));
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::access_fault);
  CTE_CHECK_EQ(seen.cause, rv::cause::store_access_fault);
  CTE_CHECK_EQ(seen.ref, unmapped + 16);
  CTE_CHECK(seen.all_same);
  CTE_CHECK(seen.skipped);
}

namespace {
// An instruction fetch fault has nothing to skip: resume at the caller's return address.
cte::Context *return_to_caller(cte::Event event, cte::Context *context) {
  record(event, context);
  context->set_pc(context->frame().x[rv::reg::ra]);
  return context;
}
}  // namespace

CTE_TEST_CASE("jump to unmapped physical address 0 -> access_fault (fetch), pc = address, 1000 times") {
  cte::cte_init(return_to_caller);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_call(unmapped + 64);
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::access_fault);
  CTE_CHECK_EQ(seen.cause, rv::cause::instruction_access_fault);
  CTE_CHECK_EQ(seen.pc, unmapped + 64);
  CTE_CHECK_EQ(seen.ref, unmapped + 64);
  CTE_CHECK(seen.all_same);
}

CTE_TEST_CASE("S-mode: load from OpenSBI's memory (PMP-protected) -> access_fault, 1000 times") {
  if constexpr (cte_test::machine_mode) CTE_SKIP("M-mode owns all memory: no firmware region to protect");
  constexpr std::uintptr_t firmware = 0x80000000;  // OpenSBI fw_dynamic (supervisor.ld starts at +2 MiB)
  cte::cte_init(skip_and_resume);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_load(reinterpret_cast<const void *>(firmware));
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == cte::EventKind::access_fault);
  CTE_CHECK_EQ(seen.cause, rv::cause::load_access_fault);
  CTE_CHECK_EQ(seen.ref, firmware);
}

CTE_TEST_CASE("page faults") {
  CTE_SKIP("cte's virt board sets up no page tables (satp = Bare): no page faults to take");
}

namespace {
cte::Context *switch_boot = nullptr;
cte::Context *faulting_thread = nullptr;
bool thread_got_past_fault = false;

cte::Context *switch_away_on_fault(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    switch_boot = context;
    return faulting_thread;
  }
  record(event, context);
  return switch_boot;  // abandon the faulting thread: switch to another Context
}

void faulting_entry(void *) {
  cte_test_illegal_instruction();
  thread_got_past_fault = true;
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> faulting_stack;
}  // namespace

CTE_TEST_CASE("a handler may switch to another Context instead of resuming the faulting one") {
  faulting_thread = cte::kcontext(faulting_stack.area(), faulting_entry, nullptr);
  cte::cte_init(switch_away_on_fault);
  reset();
  cte::yield();
  CTE_CHECK_EQ(seen.count, 1);
  CTE_CHECK(seen.kind == cte::EventKind::illegal_instruction);
  CTE_CHECK(!thread_got_past_fault);
}

namespace {
// Two threads trap alternately with patterns in every register; the handler resumes the
// *other* thread each time, so a register the restore path left out would carry the other
// thread's pattern.
std::uint64_t exact_pattern(int thread, int round, unsigned word) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(thread + 1) << 56) ^
                             (static_cast<std::uint64_t>(round) << 40) ^ (word * 0x9e3779b97f4a7c15ull) ^ 0xa5a5;
  return word == cte_test::trap_held_fcsr_word ? cte_test::fcsr_pattern(bits) : bits;
}
cte::Context *exact_boot = nullptr;
cte::Context *exact_threads[2];
int exact_current = -1;
long exact_corrupted[2];
int exact_rounds_done[2];

cte::Context *alternate_on_breakpoint(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    if (exact_current < 0) {  // boot starts thread 0
      exact_boot = context;
      exact_current = 0;
      return exact_threads[0];
    }
    exact_current = -1;  // a thread is done: back to boot
    return exact_boot;
  }
  record(event, context);
  cte::skip_instruction(context);
  exact_threads[exact_current] = context;
  exact_current ^= 1;
  return exact_threads[exact_current];
}

void exact_thread(void *index_pointer) {
  const int index = static_cast<int>(reinterpret_cast<std::uintptr_t>(index_pointer));
  for (int round = 0; round < rounds; ++round) {
    std::uint64_t table[cte_test::trap_held_words];
    for (unsigned w = 0; w < cte_test::trap_held_words; ++w) table[w] = exact_pattern(index, round, w);
    cte_test_hold_registers_across_trap(table);
    for (unsigned w = 0; w < cte_test::trap_held_words; ++w)
      if (table[w] != exact_pattern(index, round, w)) {
        if (!exact_corrupted[index]) {
          cte_bm::print("    first corrupted slot: ");
          cte::putdec(w);
          cte_bm::print("\n");
        }
        ++exact_corrupted[index];
      }
    ++exact_rounds_done[index];
  }
  cte::yield();  // thread 0 finishes first; thread 1 stays parked in its last trap
  for (;;) cte::yield();
}
cte_test::Stack<16 * 1024> exact_stacks[2];
}  // namespace

CTE_TEST_CASE("exception Contexts resume exact: x1, x3-x31, f0-f31, fcsr; two threads, 1000 traps each") {
  for (int i = 0; i < 2; ++i) {
    exact_threads[i] =
        cte::kcontext(exact_stacks[i].area(), exact_thread, reinterpret_cast<void *>(static_cast<std::uintptr_t>(i)));
    exact_corrupted[i] = 0;
    exact_rounds_done[i] = 0;
  }
  exact_current = -1;
  cte::cte_init(alternate_on_breakpoint);
  reset();
  cte::yield();
  CTE_CHECK(seen.kind == cte::EventKind::breakpoint);
  CTE_CHECK_EQ(exact_rounds_done[0], rounds);
  CTE_CHECK_EQ(exact_rounds_done[1], rounds - 1);  // its last probe waits in its trap
  CTE_CHECK_EQ(exact_corrupted[0], 0);
  CTE_CHECK_EQ(exact_corrupted[1], 0);
}

namespace {
std::uint64_t stack_pointer_in_handler = 0;
int edits = 0;
cte::Context *edit_registers(cte::Event, cte::Context *context) {
  stack_pointer_in_handler = context->sp();
  context->set_return(0x5eed0000 + static_cast<std::uint64_t>(edits++));  // the caller must see exactly this
  cte::skip_instruction(context);
  return context;
}
}  // namespace

CTE_TEST_CASE("registers the handler edits in a fault Context are what the resumed code sees") {
  cte::cte_init(edit_registers);
  edits = 0;
  for (int i = 0; i < rounds; ++i)
    CTE_REQUIRE_EQ(cte_test_illegal_instruction(), 0x5eed0000u + static_cast<unsigned>(i));
  int local = 0;
  CTE_CHECK(stack_pointer_in_handler < reinterpret_cast<std::uintptr_t>(&local));
  CTE_CHECK(stack_pointer_in_handler > reinterpret_cast<std::uintptr_t>(&local) - 4096);
}
