// Exceptions on bare metal, on every board: each class reaches the handler as its Event (kind,
// raw cause, ref) with a Context holding the faulting code's registers, pc at the faulting
// instruction; the handler steps over it (skip_instruction) or fixes it up, 1000 times in a
// row. The probes, raw causes and what does not apply on an ISA come from its
// tests/baremetal/<isa>/trap_probes.hpp (see support.hpp).
// riscv64 S-mode: OpenSBI handles the traps it does not delegate (illegal instruction, access
// faults, misaligned accesses) and redirects them to S-mode with the same cause and tval.

#include <cte/cte.hpp>
#include <cte/protected_page.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support/cte_test.hpp"
#include "support.hpp"

namespace {

constexpr int rounds = 1000;

struct Seen {
  cte::EventKind kind = cte::EventKind::none;
  std::uint64_t cause = 0;
  std::uintptr_t ref = 0;
  std::uintptr_t pc = 0;
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
  seen.length = cte::TargetIsa::instruction_length(reinterpret_cast<const void *>(context->pc()));
  seen.skipped = seen.skipped && cte::skip_instruction(context);
  return context;
}

template <class Function>
std::uintptr_t address_of(Function *function) {
  return reinterpret_cast<std::uintptr_t>(function);
}

// Runs `probe` 1000 times under `handler`, from a clean record.
template <class Probe>
void trap_rounds(cte::Handler handler, Probe probe) {
  cte::cte_init(handler);
  reset();
  for (int i = 0; i < rounds; ++i) probe();
}

// What every 1000-round case checks: each round trapped once, always as the same Event of
// `kind` at the same pc.
void check_rounds(cte::EventKind kind) {
  CTE_CHECK_EQ(seen.count, rounds);
  CTE_CHECK(seen.kind == kind);
  CTE_CHECK(seen.all_same);
}

}  // namespace

CTE_TEST_CASE("illegal instruction -> illegal_instruction, the ISA's cause and ref, pc at it, resumed 1000 times") {
  trap_rounds(skip_and_resume, [&] { cte_test_illegal_instruction(); });
  check_rounds(cte::EventKind::illegal_instruction);
  CTE_CHECK_EQ(seen.cause, cte_test::illegal_instruction_cause);
  CTE_CHECK_EQ(seen.pc, address_of(&cte_test_illegal_instruction));
  CTE_CHECK_EQ(seen.length, cte_test::illegal_instruction_length);
  CTE_CHECK_EQ(seen.ref, cte_test::illegal_instruction_ref);
  CTE_CHECK(seen.skipped);
}

CTE_TEST_CASE(
    "illegal instruction of another length (riscv64 c.unimp, x86_64 ud1) -> skipped by its length, 1000 times") {
  if constexpr (cte_test::other_illegal_skip != nullptr) {
    CTE_SKIP(cte_test::other_illegal_skip);
  } else {
    trap_rounds(skip_and_resume, [&] { cte_test_illegal_other_length(); });
    check_rounds(cte::EventKind::illegal_instruction);
    CTE_CHECK_EQ(seen.cause, cte_test::illegal_instruction_cause);
    CTE_CHECK_EQ(seen.pc, address_of(&cte_test_illegal_other_length));
    CTE_CHECK_EQ(seen.length, cte_test::other_illegal_length);
    CTE_CHECK_EQ(seen.ref, 0);  // riscv64: the instruction's 16 bits, zero-extended
    CTE_CHECK(seen.skipped);
  }
}

namespace {
// 1000 breakpoints from `probe`, each stepped over: pc at the breakpoint, `length` bytes long.
void check_breakpoints(void (*probe)(), std::uint64_t length) {
  trap_rounds(skip_and_resume, [&] { probe(); });
  check_rounds(cte::EventKind::breakpoint);
  CTE_CHECK_EQ(seen.cause, cte_test::breakpoint_cause);
  CTE_CHECK_EQ(seen.pc, address_of(probe));
  CTE_CHECK_EQ(seen.length, length);
  CTE_CHECK(seen.skipped);
}
}  // namespace

CTE_TEST_CASE("breakpoint -> breakpoint with pc at it, resumed 1000 times") {
  check_breakpoints(cte_test_breakpoint, cte_test::breakpoint_length);
}

CTE_TEST_CASE("breakpoint of another length (riscv64 c.ebreak) -> breakpoint with pc at it, resumed 1000 times") {
  if constexpr (cte_test::other_breakpoint_skip != nullptr)
    CTE_SKIP(cte_test::other_breakpoint_skip);
  else
    check_breakpoints(cte_test_breakpoint_other_length, cte_test::other_breakpoint_length);
}

CTE_TEST_CASE("division by zero -> divide_by_zero, pc at the division, resumed 1000 times") {
  if constexpr (cte_test::divide_skip != nullptr) {
    CTE_SKIP(cte_test::divide_skip);
  } else {
    trap_rounds(skip_and_resume, [&] { cte_test_divide(1, 0); });
    check_rounds(cte::EventKind::divide_by_zero);
    CTE_CHECK(seen.pc >= address_of(&cte_test_divide));
    CTE_CHECK(seen.skipped);
    CTE_CHECK_EQ(cte_test_divide(7, 2), 3u);
  }
}

namespace {
alignas(16) std::uint64_t aligned_words[4] = {0x1122334455667788, 0x99aabbccddeeff00, 0, 0};
const unsigned char *misaligned() { return reinterpret_cast<const unsigned char *>(aligned_words) + 1; }
}  // namespace

CTE_TEST_CASE("a misaligned plain load does not trap on any board: the CPU performs it") {
  // QEMU implements misaligned ordinary loads and stores on riscv64 (as the spec allows), the
  // aarch64 board clears SCTLR.A on Normal memory, and x86_64 checks alignment only at CPL 3.
  cte::cte_init(skip_and_resume);
  reset();
  const std::uint64_t value = cte_test_load(misaligned());
  CTE_CHECK_EQ(seen.count, 0);
  CTE_CHECK_EQ(value, 0x0011223344556677ull);  // bytes 1..8, little-endian
}

CTE_TEST_CASE("misaligned exclusive load (riscv64 lr.d, aarch64 ldxr) -> misaligned, ref = address, 1000 times") {
  if constexpr (cte_test::misaligned_skip != nullptr) {
    CTE_SKIP(cte_test::misaligned_skip);
  } else {
    trap_rounds(skip_and_resume, [&] { cte_test_misaligned_load(misaligned()); });
    check_rounds(cte::EventKind::misaligned);
    CTE_CHECK(cte_test::is_misaligned_load_cause(seen.cause));
    CTE_CHECK_EQ(seen.ref, reinterpret_cast<std::uintptr_t>(misaligned()));
    CTE_CHECK_EQ(seen.pc, reinterpret_cast<std::uintptr_t>(&cte_test_misaligned_load));
    CTE_CHECK(seen.skipped);
  }
}

CTE_TEST_CASE("misaligned atomic read-modify-write (riscv64 amoadd.d) -> misaligned, ref = address, 1000 times") {
  if constexpr (cte_test::misaligned_atomic_skip != nullptr) {
    CTE_SKIP(cte_test::misaligned_atomic_skip);
  } else {
    trap_rounds(skip_and_resume, [&] { cte_test_amo_add(const_cast<unsigned char *>(misaligned())); });
    check_rounds(cte::EventKind::misaligned);
    CTE_CHECK(cte_test::is_misaligned_atomic_cause(seen.cause));
    CTE_CHECK_EQ(seen.ref, reinterpret_cast<std::uintptr_t>(misaligned()));
    CTE_CHECK(seen.skipped);
    CTE_CHECK(aligned_words[0] == 0x1122334455667788 && aligned_words[1] == 0x99aabbccddeeff00);
  }
}

namespace {
// Where nothing answers (riscv64: physical address 0), or nothing is mapped (aarch64: the
// first 2 MiB; x86_64: above the identity-mapped 4 GiB).
constexpr std::uintptr_t unbacked = cte_test::unbacked_address;
}  // namespace

CTE_TEST_CASE("load from an address nothing answers at -> the board's fault, ref = address, 1000 times") {
  trap_rounds(skip_and_resume, [&] { cte_test_load(reinterpret_cast<const void *>(unbacked + 8)); });
  check_rounds(cte_test::unbacked_kind);
  CTE_CHECK(cte_test::is_unbacked_load_cause(seen.cause));
  CTE_CHECK_EQ(seen.ref, unbacked + 8);
  CTE_CHECK_EQ(seen.pc, reinterpret_cast<std::uintptr_t>(&cte_test_load));
  CTE_CHECK(seen.skipped);
}

CTE_TEST_CASE("store to an address nothing answers at -> the board's fault, ref = address, 1000 times") {
  trap_rounds(skip_and_resume, [&] { cte_test_store(reinterpret_cast<void *>(unbacked + 16)); });
  check_rounds(cte_test::unbacked_kind);
  CTE_CHECK(cte_test::is_unbacked_store_cause(seen.cause));
  CTE_CHECK_EQ(seen.ref, unbacked + 16);
  CTE_CHECK(seen.skipped);
}

namespace {
// An instruction fetch fault has nothing to skip: resume at the caller's return address.
cte::Context *return_to_caller(cte::Event event, cte::Context *context) {
  record(event, context);
  cte_test::return_to_caller(*context);
  return context;
}
}  // namespace

CTE_TEST_CASE("jump to an address nothing answers at -> the board's fetch fault, pc = ref = address, 1000 times") {
  trap_rounds(return_to_caller, [&] { cte_test_call(unbacked + 64); });
  check_rounds(cte_test::unbacked_kind);
  CTE_CHECK(cte_test::is_unbacked_fetch_cause(seen.cause));
  CTE_CHECK_EQ(seen.pc, unbacked + 64);
  CTE_CHECK_EQ(seen.ref, unbacked + 64);
}

CTE_TEST_CASE(
    "load from the firmware's memory below the kernel (riscv64 S-mode: OpenSBI, PMP) -> access_fault, 1000 times") {
  if constexpr (cte_test::firmware_skip != nullptr) {
    CTE_SKIP(cte_test::firmware_skip);
  } else {
    trap_rounds(skip_and_resume, [&] { cte_test_load(reinterpret_cast<const void *>(cte_test::firmware_address)); });
    check_rounds(cte::EventKind::access_fault);
    CTE_CHECK(cte_test::is_unbacked_load_cause(seen.cause));
    CTE_CHECK_EQ(seen.ref, cte_test::firmware_address);
  }
}

CTE_TEST_CASE(
    "an inaccessible page: load and store -> the board's protection fault (page_fault; M-mode PMP: access_fault), 1000 "
    "times") {
  cte::ProtectedPage page;
  CTE_REQUIRE(page.valid());
  const auto start = reinterpret_cast<std::uintptr_t>(page.area().start);
  trap_rounds(skip_and_resume, [&] { cte_test_load(reinterpret_cast<const void *>(start + 8)); });
  check_rounds(cte_test::protection_fault_kind);
  CTE_CHECK_EQ(seen.ref, start + 8);
  CTE_CHECK_EQ(seen.pc, reinterpret_cast<std::uintptr_t>(&cte_test_load));
  CTE_CHECK(seen.skipped);
  reset();
  for (int i = 0; i < rounds; ++i) cte_test_store(reinterpret_cast<void *>(start + 16));
  check_rounds(cte_test::protection_fault_kind);
  CTE_CHECK_EQ(seen.ref, start + 16);
  // Accessible again: no fault.
  CTE_REQUIRE(page.set_accessible(true));
  reset();
  cte_test_store(reinterpret_cast<void *>(start + 16));
  CTE_CHECK_EQ(cte_test_load(reinterpret_cast<const void *>(start + 16)), 0u);
  CTE_CHECK_EQ(seen.count, 0);
}

CTE_TEST_CASE("an inaccessible page: a jump into it -> the board's protection fault, pc = ref = address, 1000 times") {
  if constexpr (cte_test::protected_fetch_skip != nullptr) {
    CTE_SKIP(cte_test::protected_fetch_skip);
  } else {
    cte::ProtectedPage page;
    CTE_REQUIRE(page.valid());
    const auto start = reinterpret_cast<std::uintptr_t>(page.area().start);
    trap_rounds(return_to_caller, [&] { cte_test_call(start + 64); });
    check_rounds(cte_test::protection_fault_kind);
    CTE_CHECK_EQ(seen.pc, start + 64);
    CTE_CHECK_EQ(seen.ref, start + 64);
  }
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
  return cte_test::trap_held_pattern(word, bits);
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

CTE_TEST_CASE(
    "exception Contexts resume exact: every register the probe holds (all but sp); two threads, 1000 traps each") {
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
