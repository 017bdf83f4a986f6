// x86_64 resume of a voluntary frame: the system flags come back as the frame holds them (DF
// here, set by the handler), back to the thread that trapped and to another one, and whether
// they differ from the live ones (popfq) or not. The status flags are dead at the call a
// voluntary frame resumes from, like the caller-saved registers: a handler's value for them is
// not restored, and the test sets them at random to show that nothing depends on them.

#include <catch2/catch.hpp>
#include <cte/cte.hpp>

#include <cstdint>

#include "support/stacks.hpp"

extern "C" {
// Yields, then returns RFLAGS exactly as the resumed Context left them (and clears DF).
std::uint64_t cte_test_yield_read_flags();
}

asm(".pushsection .text.cte_test_yield_read_flags,\"ax\",@progbits\n"
    ".globl cte_test_yield_read_flags\n.hidden cte_test_yield_read_flags\n"
    "cte_test_yield_read_flags:\n"
    "  sub $8, %rsp\n"  // the trap is a call from 16-byte aligned code
    "  call cte_x86_64_yield_trap\n"
    "  pushfq\n"
    "  pop %rax\n"
    "  cld\n"
    "  add $8, %rsp\n"
    "  ret\n"
    ".popsection\n");

namespace {

constexpr std::uint64_t carry = 1u << 0, parity = 1u << 2, adjust = 1u << 4, zero = 1u << 6, sign = 1u << 7,
                        direction = 1u << 10, overflow = 1u << 11;
constexpr std::uint64_t status = carry | parity | adjust | zero | sign | overflow;
constexpr std::uint64_t checked = direction;

// Every combination of the six status flags, without and with DF (a system flag). Only DF is
// checked; the status flags are what the handler writes into the frame alongside.
std::uint64_t combination(unsigned index) {
  const std::uint64_t bits[] = {carry, parity, adjust, zero, sign, overflow, direction};
  std::uint64_t flags = 0;
  for (unsigned bit = 0; bit < 7; ++bit)
    if (index & (1u << bit)) flags |= bits[bit];
  return flags;
}
constexpr unsigned combinations = 1u << 7;

std::uint64_t written = 0;  // the flags the handler puts into the Context it resumes
std::uint64_t wanted = 0;   // of those, the ones the thread must find (written & checked)

void set_flags(cte::Context *context) {
  std::uint64_t &rflags = context->frame().rflags;
  rflags = (rflags & ~(status | checked)) | written;
}

cte::Context *resume_same(cte::Event, cte::Context *context) {
  set_flags(context);
  return context;
}

cte::Context *other = nullptr;
cte::Context *switch_threads(cte::Event, cte::Context *context) {
  cte::Context *next = other;
  other = context;
  set_flags(next);
  return next;
}

unsigned thread_checks = 0, thread_mismatches = 0;

void flag_thread(void *) {
  for (;;) {
    const std::uint64_t flags = cte_test_yield_read_flags();
    ++thread_checks;
    if ((flags & checked) != wanted) ++thread_mismatches;
  }
}

}  // namespace

TEST_CASE("x86_64 restore: RFLAGS set by the handler reach the thread that trapped") {
  cte::cte_init(resume_same);
  unsigned mismatches = 0;
  for (unsigned i = 0; i < combinations; ++i) {
    written = combination(i);
    wanted = written & checked;
    const std::uint64_t flags = cte_test_yield_read_flags();
    if ((flags & checked) != wanted) {
      ++mismatches;
      UNSCOPED_INFO("wanted " << wanted << ", got " << (flags & checked));
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("x86_64 restore: RFLAGS set by the handler reach the thread switched to") {
  cte_test::Stack stack;
  cte::cte_init(switch_threads);
  other = cte::kcontext(stack.area(), flag_thread, nullptr);
  REQUIRE(other);
  written = wanted = 0;
  cte::yield();  // the thread starts and parks in its first yield
  thread_checks = thread_mismatches = 0;
  unsigned mismatches = 0;
  for (unsigned i = 0; i < combinations; ++i) {
    written = combination(i);
    wanted = written & checked;
    // Resumes the thread with `wanted`; it checks, yields, and resumes us with `wanted`.
    const std::uint64_t flags = cte_test_yield_read_flags();
    if ((flags & checked) != wanted) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(thread_checks == combinations);
  CHECK(thread_mismatches == 0);
}
