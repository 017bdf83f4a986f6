// riscv64 event decoding, frame layout and instruction length. Pure functions: this runs on
// every host ISA.

#include <catch2/catch.hpp>
#include <cte/riscv64/decode.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

using cte::EventKind;
using namespace cte::riscv64;

namespace {
cte::BasicEvent<Isa> decode_cause(std::uint64_t raw, std::uint64_t tval = 0) { return decode(TrapCause{raw, tval}); }
}  // namespace

TEST_CASE("riscv64: exceptions decode to the right EventKind with the raw cause and tval") {
  struct Row {
    std::uint64_t cause;
    EventKind kind;
  };
  const Row rows[] = {
      {cause::instruction_misaligned, EventKind::misaligned},
      {cause::instruction_access_fault, EventKind::access_fault},
      {cause::illegal_instruction, EventKind::illegal_instruction},
      {cause::breakpoint, EventKind::breakpoint},
      {cause::load_misaligned, EventKind::misaligned},
      {cause::load_access_fault, EventKind::access_fault},
      {cause::store_misaligned, EventKind::misaligned},
      {cause::store_access_fault, EventKind::access_fault},
      {cause::instruction_page_fault, EventKind::page_fault},
      {cause::load_page_fault, EventKind::page_fault},
      {cause::store_page_fault, EventKind::page_fault},
  };
  for (const Row &row : rows) {
    const auto event = decode_cause(row.cause, 0xdead0000 + row.cause);
    INFO("cause " << row.cause);
    CHECK(event.kind == row.kind);
    CHECK(event.cause == row.cause);
    CHECK(event.ref == 0xdead0000 + row.cause);
    CHECK(std::string(event.msg).size() > 0);
  }
  // The privileged spec's exception codes, as numbers.
  CHECK(cause::instruction_misaligned == 0);
  CHECK(cause::illegal_instruction == 2);
  CHECK(cause::breakpoint == 3);
  CHECK(cause::store_access_fault == 7);
  CHECK(cause::ecall_from_u == 8);
  CHECK(cause::ecall_from_s == 9);
  CHECK(cause::ecall_from_m == 11);
  CHECK(cause::instruction_page_fault == 12);
  CHECK(cause::store_page_fault == 15);
}

TEST_CASE("riscv64: an illegal instruction carries its bits, a page fault its address") {
  const auto illegal = decode_cause(cause::illegal_instruction, 0x0000'0000'c000'1073);  // csrrw zero, cycle, zero
  CHECK(illegal.kind == EventKind::illegal_instruction);
  CHECK(illegal.ref == 0xc0001073);
  const auto fault = decode_cause(cause::store_page_fault, 0x7fff'dead'0008);
  CHECK(fault.kind == EventKind::page_fault);
  CHECK(fault.ref == 0x7fffdead0008);
}

TEST_CASE("riscv64: an ecall's tval marks yield and a returned kcontext thread; tval 0 is a syscall") {
  for (std::uint64_t ecall : {cause::ecall_from_u, cause::ecall_from_s, cause::ecall_from_m}) {
    INFO("cause " << ecall);
    const auto yield = decode_cause(ecall, cte::voluntary_trap::yield);
    CHECK(yield.kind == EventKind::yield);
    CHECK(yield.cause == ecall);
    CHECK(yield.ref == 0);
    CHECK(std::string(yield.msg).size() > 0);

    const auto exit = decode_cause(ecall, cte::voluntary_trap::thread_exit);
    CHECK(exit.kind == EventKind::error);
    CHECK(std::string(exit.msg) == "kcontext thread returned from its entry function");

    const auto syscall = decode_cause(ecall, cte::voluntary_trap::syscall);
    CHECK(syscall.kind == EventKind::syscall);
    CHECK(syscall.cause == ecall);
    CHECK(std::string(syscall.msg).size() > 0);
  }
}

TEST_CASE("riscv64: interrupts have bit 63 set and keep the raw cause, tval is the payload") {
  struct Row {
    std::uint64_t code;
    EventKind kind;
  };
  const Row rows[] = {
      {1, EventKind::irq_software}, {3, EventKind::irq_software}, {5, EventKind::irq_timer},
      {7, EventKind::irq_timer},    {9, EventKind::irq_external}, {11, EventKind::irq_external},
  };
  for (const Row &row : rows) {
    const std::uint64_t raw = cause::interrupt_bit | row.code;
    INFO("interrupt code " << row.code);
    const auto event = decode_cause(raw, 42);
    CHECK(event.kind == row.kind);
    CHECK(cte::is_interrupt(event.kind));
    CHECK(event.cause == raw);
    CHECK(event.ref == 42);
    CHECK(std::string(event.msg).size() > 0);
  }
  CHECK(cause::interrupt_bit == 0x8000000000000000ull);
  CHECK(cause::supervisor_timer_interrupt == 0x8000000000000005ull);  // SBI timer, as QEMU reports it
  CHECK(cause::machine_timer_interrupt == 0x8000000000000007ull);
}

TEST_CASE("riscv64: the interrupt bit, not the code, tells interrupts from exceptions") {
  // Same low bits, different meaning.
  CHECK(decode_cause(3).kind == EventKind::breakpoint);
  CHECK(decode_cause(cause::interrupt_bit | 3).kind == EventKind::irq_software);
  CHECK(decode_cause(5).kind == EventKind::access_fault);
  CHECK(decode_cause(cause::interrupt_bit | 5).kind == EventKind::irq_timer);
  CHECK(decode_cause(7).kind == EventKind::access_fault);
  CHECK(decode_cause(cause::interrupt_bit | 7).kind == EventKind::irq_timer);
  CHECK(decode_cause(9).kind == EventKind::syscall);
  CHECK(decode_cause(cause::interrupt_bit | 9).kind == EventKind::irq_external);
  CHECK(decode_cause(11, cte::voluntary_trap::yield).kind == EventKind::yield);
  CHECK(decode_cause(cause::interrupt_bit | 11, cte::voluntary_trap::yield).kind == EventKind::irq_external);
  // An interrupt's tval is its payload, never a marker.
  CHECK(decode_cause(cause::interrupt_bit | 1, cte::voluntary_trap::thread_exit).kind == EventKind::irq_software);
}

TEST_CASE("riscv64: unknown causes are errors, never silently ignored") {
  for (std::uint64_t raw : {10ull, 14ull, 16ull, 17ull, 18ull, 19ull, 24ull, 63ull, 0x1000ull, 0x7fffffffffffffffull}) {
    INFO("exception " << raw);
    const auto event = decode_cause(raw);
    CHECK(event.kind == EventKind::error);
    CHECK(event.cause == raw);
    CHECK(std::string(event.msg).size() > 0);
  }
  for (std::uint64_t code : {0ull, 2ull, 4ull, 6ull, 8ull, 10ull, 12ull, 13ull, 16ull, 0x7fffffffffffffffull}) {
    INFO("interrupt code " << code);
    const auto event = decode_cause(cause::interrupt_bit | code);
    CHECK(event.kind == EventKind::error);
    CHECK(event.cause == (cause::interrupt_bit | code));
    CHECK(std::string(event.msg).size() > 0);
  }
}

TEST_CASE("riscv64: frame layout") {
  STATIC_REQUIRE(alignof(Frame) == 16);
  STATIC_REQUIRE(sizeof(Frame) % 16 == 0);
  STATIC_REQUIRE(sizeof(Frame) <= 2048);  // every slot within a 12-bit load/store offset
  STATIC_REQUIRE(gpr_offset(reg::a0) == offsetof(Frame, x) + 10 * sizeof(std::uint64_t));
  STATIC_REQUIRE(fpr_offset(freg::fs0) == offsetof(Frame, f) + 8 * sizeof(std::uint64_t));
  STATIC_REQUIRE(reg::restore_scratch == reg::t6);
  STATIC_REQUIRE(reg::sp == 2 && reg::s0 == 8 && reg::a0 == 10 && reg::a7 == 17 && reg::s2 == 18 && reg::t6 == 31);
  STATIC_REQUIRE(freg::fs0 == 8 && freg::fs2 == 18 && freg::fs11 == 27);
  // A frame goes directly below the stack pointer it describes, 16-byte aligned.
  const auto frame_below = [](std::uintptr_t sp) { return reinterpret_cast<std::uintptr_t>(Isa::frame_below(sp)); };
  REQUIRE(frame_below(0x10000) == 0x10000 - sizeof(Frame));
  REQUIRE(frame_below(0x10008) % 16 == 0);
  REQUIRE(frame_below(0x10008) + sizeof(Frame) <= 0x10008);
}

TEST_CASE("riscv64: accessors follow the syscall convention (a7 number, a0-a5 arguments, a0 result)") {
  Frame frame{};
  frame.x[reg::a7] = 64;
  for (unsigned i = 0; i < 6; ++i) frame.x[reg::a0 + i] = 100 + i;
  frame.x[reg::a6] = 999;  // not an argument
  frame.pc = 0x10078;
  frame.x[reg::sp] = 0x7ff0;
  CHECK(Isa::syscall_number(frame) == 64);
  CHECK(Isa::syscall_arg_count == 6);
  for (unsigned i = 0; i < Isa::syscall_arg_count; ++i) CHECK(Isa::arg(frame, i) == 100 + i);
  Isa::set_arg(frame, 3, 7);
  CHECK(frame.x[reg::a3] == 7);
  CHECK(Isa::return_value(frame) == 100);
  Isa::set_return_value(frame, 9);
  CHECK(frame.x[reg::a0] == 9);
  CHECK(Isa::return_value(frame) == 9);
  CHECK(Isa::pc(frame) == 0x10078);
  Isa::set_pc(frame, 0x1007c);
  CHECK(frame.pc == 0x1007c);
  CHECK(Isa::sp(frame) == 0x7ff0);
  CHECK(std::string(Isa::name) == "riscv64");

  // The library's own traps are marked in tval (the hart records 0 for an ecall), never in a7:
  // every a7 is a system call number.
  frame.cause = cause::ecall_from_u;
  frame.tval = cte::voluntary_trap::thread_exit;
  CHECK(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::error);
  frame.tval = cte::voluntary_trap::yield;
  CHECK_FALSE(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::yield);
  frame.tval = cte::voluntary_trap::syscall;
  for (const std::uint64_t number : {std::uint64_t{64}, ~std::uint64_t{0}, ~std::uint64_t{0} - 1}) {
    frame.x[reg::a7] = number;
    CHECK(Isa::decode(frame).kind == EventKind::syscall);
    CHECK_FALSE(Isa::is_thread_exit(frame));
  }
  // The thread-exit marker without an ecall is not a thread exit.
  frame.cause = cause::illegal_instruction;
  frame.tval = cte::voluntary_trap::thread_exit;
  CHECK_FALSE(Isa::is_thread_exit(frame));
  frame.tval = 0x1234;
  CHECK_FALSE(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::illegal_instruction);
  CHECK(Isa::decode(frame).ref == 0x1234);
}

TEST_CASE("riscv64: instruction length from the first 16-bit parcel") {
  // From the parcel alone.
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x9002}) == 2);  // c.ebreak
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x0001}) == 2);  // c.nop
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x0000}) == 2);  // the defined-illegal all-zero parcel
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x0073}) == 4);  // ecall / ebreak (low half)
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x0013}) == 4);  // addi
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x001f}) == 0);  // 48-bit encoding
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x003f}) == 0);  // 64-bit encoding
  STATIC_REQUIRE(instruction_length(std::uint16_t{0x007f}) == 0);  // longer encodings

  // From memory (little-endian bytes, 16-bit aligned).
  alignas(4) const std::uint8_t ebreak[] = {0x73, 0x00, 0x10, 0x00};
  alignas(4) const std::uint8_t c_ebreak[] = {0x02, 0x90, 0x00, 0x00};
  alignas(4) const std::uint8_t unimp[] = {0x73, 0x10, 0x00, 0xc0};  // csrrw zero, cycle, zero
  alignas(4) const std::uint8_t wide[] = {0x1f, 0x00, 0x00, 0x00, 0x00, 0x00};
  CHECK(Isa::instruction_length(ebreak) == 4);
  CHECK(Isa::instruction_length(c_ebreak) == 2);
  CHECK(Isa::instruction_length(unimp) == 4);
  CHECK(Isa::instruction_length(wide) == 0);
  CHECK(Isa::instruction_length(nullptr) == 0);
  CHECK(Isa::instruction_length(ebreak + 1) == 0);  // not 16-bit aligned: no instruction starts there
}
