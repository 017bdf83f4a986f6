// x86_64 event decoding and frame layout. Pure functions: this runs on every host ISA.

#include <catch2/catch.hpp>
#include <cte/x86_64/decode.hpp>

#include <cstddef>
#include <string>

using cte::EventKind;
using namespace cte::x86_64;

namespace {
cte::BasicEvent<Isa> decode_vector(std::uint64_t v, std::uint64_t error = 0, std::uint64_t address = 0,
                                   std::uint64_t payload = 0) {
  return decode(TrapCause{v, error, address, payload});
}
}  // namespace

TEST_CASE("x86_64: exceptions decode to the right EventKind with the vector as cause") {
  struct Row {
    std::uint64_t vector;
    EventKind kind;
  };
  const Row rows[] = {
      {vector::divide_error, EventKind::divide_by_zero},
      {vector::debug, EventKind::breakpoint},
      {vector::breakpoint, EventKind::breakpoint},
      {vector::invalid_opcode, EventKind::illegal_instruction},
      {vector::device_not_available, EventKind::floating_point},
      {vector::x87_fp, EventKind::floating_point},
      {vector::simd_fp, EventKind::floating_point},
      {vector::alignment_check, EventKind::misaligned},
      {vector::page_fault, EventKind::page_fault},
      {vector::general_protection, EventKind::access_fault},
      {vector::stack_segment, EventKind::access_fault},
      {vector::segment_not_present, EventKind::access_fault},
      {vector::invalid_tss, EventKind::access_fault},
      {vector::overflow, EventKind::error},
      {vector::bound_range, EventKind::error},
      {vector::nmi, EventKind::error},
      {vector::double_fault, EventKind::error},
      {vector::machine_check, EventKind::error},
  };
  for (const Row &row : rows) {
    const auto event = decode_vector(row.vector);
    INFO("vector " << row.vector);
    CHECK(event.kind == row.kind);
    CHECK(event.cause == row.vector);
    CHECK(std::string(event.msg).size() > 0);
  }
}

TEST_CASE("x86_64: page faults carry CR2 in ref") {
  const auto event = decode_vector(vector::page_fault, 0x6, 0xdead0000);
  CHECK(event.kind == EventKind::page_fault);
  CHECK(event.ref == 0xdead0000);
  CHECK(decode_vector(vector::alignment_check, 0, 0x1001).ref == 0x1001);
}

TEST_CASE("x86_64: interrupts and the software vectors") {
  CHECK(decode_vector(vector::timer).kind == EventKind::irq_timer);
  const auto external = decode_vector(vector::external_first + 3, 0, 0, 77);
  CHECK(external.kind == EventKind::irq_external);
  CHECK(external.cause == 77);  // external interrupts: cause is the interrupt's identity (payload)
  CHECK(external.ref == 77);
  CHECK(decode_vector(0x7f).kind == EventKind::irq_external);
  CHECK(decode_vector(vector::syscall).kind == EventKind::syscall);
  CHECK(decode_vector(vector::yield).kind == EventKind::yield);
  CHECK(decode_vector(vector::thread_exit).kind == EventKind::error);
  CHECK(std::string(decode_vector(vector::thread_exit).msg) == "kcontext thread returned from its entry function");
  CHECK(decode_vector(vector::software_interrupt, 0, 0, 5).kind == EventKind::irq_software);
  CHECK(decode_vector(vector::software_interrupt, 0, 0, 5).ref == 5);
}

TEST_CASE("x86_64: unknown vectors are errors, never silently ignored") {
  for (std::uint64_t v : {9u, 15u, 20u, 31u, 0x84u, 0xffu, 0x1000u}) {
    INFO("vector " << v);
    CHECK(decode_vector(v).kind == EventKind::error);
  }
}

TEST_CASE("x86_64: frame layout and accessors follow the System V syscall convention") {
  STATIC_REQUIRE(alignof(Frame) == 16);
  STATIC_REQUIRE(offsetof(Frame, fpu) % 16 == 0);
  STATIC_REQUIRE(frame_gap >= red_zone + restore_window + sizeof(Frame));
  Frame frame{};
  frame.rax = 60;
  frame.rdi = 1;
  frame.rsi = 2;
  frame.rdx = 3;
  frame.r10 = 4;
  frame.r8 = 5;
  frame.r9 = 6;
  frame.rip = 0x401000;
  frame.rsp = 0x7ff0;
  CHECK(Isa::syscall_number(frame) == 60);
  for (unsigned i = 0; i < Isa::syscall_arg_count; ++i) CHECK(Isa::arg(frame, i) == i + 1);
  Isa::set_return_value(frame, 9);
  CHECK(frame.rax == 9);
  CHECK(Isa::pc(frame) == 0x401000);
  CHECK(Isa::sp(frame) == 0x7ff0);
  frame.vector = vector::thread_exit;
  CHECK(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::error);
}
