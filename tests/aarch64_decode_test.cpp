// aarch64 event decoding, frame layout and instruction length. Pure functions: this runs on
// every host ISA.

#include <catch2/catch.hpp>
#include <cte/aarch64/decode.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

using cte::EventKind;
using namespace cte::aarch64;

namespace {

constexpr std::uint64_t esr_of(std::uint64_t ec, std::uint64_t iss = 0) { return esr::make(ec, iss); }

cte::BasicEvent<Isa> decode_sync(std::uint64_t esr_value, std::uint64_t far = 0) {
  return decode(TrapCause{esr_value, far, TrapKind::synchronous});
}

cte::BasicEvent<Isa> decode_interrupt(TrapKind kind, std::uint64_t id) { return decode(TrapCause{0, 0, kind, id}); }

constexpr std::uint64_t fault_address = 0xdead0000beefull;

}  // namespace

TEST_CASE("aarch64: ESR helpers split EC, IL and ISS") {
  STATIC_REQUIRE(esr::exception_class(esr_of(exception_class::brk64, 0x1234)) == exception_class::brk64);
  STATIC_REQUIRE(esr::iss(esr_of(exception_class::brk64, 0x1234)) == 0x1234);
  STATIC_REQUIRE((esr_of(exception_class::svc64) & esr::il_bit) != 0);
  STATIC_REQUIRE(esr_of(exception_class::svc64) == 0x56000000);  // EC 0x15, IL
}

TEST_CASE("aarch64: synchronous exceptions decode to the right EventKind with the ESR as cause") {
  struct Row {
    std::uint64_t ec;
    std::uint64_t iss;
    EventKind kind;
  };
  const Row rows[] = {
      {exception_class::unknown, 0, EventKind::illegal_instruction},
      {exception_class::illegal_state, 0, EventKind::illegal_instruction},
      {exception_class::system_register, 0x3, EventKind::illegal_instruction},
      {exception_class::branch_target, 0x1, EventKind::illegal_instruction},
      {exception_class::pointer_authentication, 0, EventKind::illegal_instruction},
      {exception_class::brk64, 0x3e8, EventKind::breakpoint},
      {exception_class::breakpoint_lower, 0, EventKind::breakpoint},
      {exception_class::breakpoint_same, 0, EventKind::breakpoint},
      {exception_class::software_step_lower, 0, EventKind::breakpoint},
      {exception_class::software_step_same, 0, EventKind::breakpoint},
      {exception_class::watchpoint_lower, 0, EventKind::breakpoint},
      {exception_class::watchpoint_same, 0, EventKind::breakpoint},
      {exception_class::pc_alignment, 0, EventKind::misaligned},
      {exception_class::sp_alignment, 0, EventKind::misaligned},
      {exception_class::fp_access, 0, EventKind::floating_point},
      {exception_class::sve_access, 0, EventKind::floating_point},
      {exception_class::fp_exception64, fp_iss::trapped_fault_valid | fp_iss::overflow, EventKind::floating_point},
      {exception_class::fp_exception64, fp_iss::trapped_fault_valid | fp_iss::divide_by_zero,
       EventKind::divide_by_zero},
      {exception_class::data_abort_lower, 0x07, EventKind::page_fault},
      {exception_class::data_abort_same, 0x21, EventKind::misaligned},
      {exception_class::instruction_abort_lower, 0x05, EventKind::page_fault},
      {exception_class::instruction_abort_same, 0x10, EventKind::access_fault},
      {exception_class::svc64, 0, EventKind::syscall},
      {exception_class::serror, 0, EventKind::error},
      {exception_class::hvc64, 0, EventKind::error},
      {exception_class::smc64, 0, EventKind::error},
      {exception_class::wfi_wfe, 0, EventKind::error},
  };
  for (const Row &row : rows) {
    const std::uint64_t value = esr_of(row.ec, row.iss);
    const auto event = decode_sync(value, fault_address);
    INFO("EC " << row.ec << " ISS " << row.iss);
    CHECK(event.kind == row.kind);
    CHECK(event.cause == value);
    CHECK(std::string(event.msg).size() > 0);
  }
}

TEST_CASE("aarch64: data and instruction aborts split by fault status code, ref = FAR") {
  struct Row {
    std::uint64_t status;
    EventKind kind;
  };
  const Row rows[] = {
      // translation faults, levels 0-3, -1 and -2
      {0x04, EventKind::page_fault},
      {0x05, EventKind::page_fault},
      {0x06, EventKind::page_fault},
      {0x07, EventKind::page_fault},
      {0x2b, EventKind::page_fault},
      {0x2a, EventKind::page_fault},
      // access flag and permission faults: the page tables decide, as x86 #PF / riscv page faults
      {0x08, EventKind::page_fault},
      {0x09, EventKind::page_fault},
      {0x0b, EventKind::page_fault},
      {0x0c, EventKind::page_fault},
      {0x0d, EventKind::page_fault},
      {0x0f, EventKind::page_fault},
      // alignment
      {0x21, EventKind::misaligned},
      // everything the page tables cannot fix
      {0x00, EventKind::access_fault},
      {0x03, EventKind::access_fault},
      {0x10, EventKind::access_fault},
      {0x11, EventKind::access_fault},
      {0x14, EventKind::access_fault},
      {0x17, EventKind::access_fault},
      {0x18, EventKind::access_fault},
      {0x1c, EventKind::access_fault},
      {0x29, EventKind::access_fault},
      {0x30, EventKind::access_fault},
      {0x31, EventKind::access_fault},
      {0x35, EventKind::access_fault},
  };
  for (std::uint64_t ec : {exception_class::data_abort_lower, exception_class::data_abort_same,
                           exception_class::instruction_abort_lower, exception_class::instruction_abort_same}) {
    for (const Row &row : rows) {
      INFO("EC " << ec << " status " << row.status);
      const auto event = decode_sync(esr_of(ec, row.status), fault_address);
      CHECK(event.kind == row.kind);
      CHECK(event.ref == fault_address);
      CHECK(std::string(event.msg).size() > 0);
      const bool instruction =
          ec == exception_class::instruction_abort_lower || ec == exception_class::instruction_abort_same;
      CHECK(std::string(event.msg).rfind(instruction ? "instruction abort" : "data abort", 0) == 0);
    }
  }
  // ISS.FnV: FAR is not valid, so no address is reported.
  const auto no_far =
      decode_sync(esr_of(exception_class::data_abort_same, abort_iss::far_not_valid | 0x10), fault_address);
  CHECK(no_far.kind == EventKind::access_fault);
  CHECK(no_far.ref == 0);
  // WnR and other ISS bits do not change the class.
  CHECK(decode_sync(esr_of(exception_class::data_abort_lower, (1u << 6) | 0x0f), fault_address).kind ==
        EventKind::page_fault);
}

TEST_CASE("aarch64: alignment faults, breakpoints and FP exceptions carry their details") {
  const auto pc_fault = decode_sync(esr_of(exception_class::pc_alignment), 0x40001002);
  CHECK(pc_fault.kind == EventKind::misaligned);
  CHECK(pc_fault.ref == 0x40001002);  // FAR: the misaligned pc
  CHECK(decode_sync(esr_of(exception_class::sp_alignment)).kind == EventKind::misaligned);

  const auto brk = decode_sync(esr_of(exception_class::brk64, 0xf000));
  CHECK(brk.kind == EventKind::breakpoint);
  CHECK(brk.ref == 0xf000);  // the brk immediate
  CHECK(decode_sync(esr_of(exception_class::watchpoint_same), fault_address).ref == fault_address);

  // DZF counts only when TFV says the flags are valid.
  CHECK(decode_sync(esr_of(exception_class::fp_exception64, fp_iss::divide_by_zero)).kind == EventKind::floating_point);
  for (std::uint64_t flag :
       {fp_iss::input_denormal, fp_iss::inexact, fp_iss::underflow, fp_iss::overflow, fp_iss::invalid_operation}) {
    INFO("flag " << flag);
    CHECK(decode_sync(esr_of(exception_class::fp_exception64, fp_iss::trapped_fault_valid | flag)).kind ==
          EventKind::floating_point);
  }
  CHECK(decode_sync(esr_of(exception_class::fp_exception64,
                           fp_iss::trapped_fault_valid | fp_iss::divide_by_zero | fp_iss::inexact))
            .kind == EventKind::divide_by_zero);
}

TEST_CASE("aarch64: svc immediates: #1 yield, #2 thread exit, anything else a syscall (x8 any value)") {
  const std::uint64_t svc = esr_of(exception_class::svc64);
  const auto yield = decode_sync(svc_esr_of(cte::voluntary_trap::yield));
  CHECK(yield.kind == EventKind::yield);
  CHECK(std::string(yield.msg) == "yield");
  CHECK(yield.cause == svc_esr_of(cte::voluntary_trap::yield));

  const auto exit = decode_sync(svc_esr_of(cte::voluntary_trap::thread_exit));
  CHECK(exit.kind == EventKind::error);
  CHECK(std::string(exit.msg) == "kcontext thread returned from its entry function");

  CHECK(svc_esr_of(cte::voluntary_trap::syscall) == svc);
  CHECK(decode_sync(svc).kind == EventKind::syscall);
  CHECK(decode_sync(esr_of(exception_class::svc64, 0x42)).kind == EventKind::syscall);
  CHECK(decode_sync(esr_of(exception_class::svc64, 0x42)).ref == 0x42);  // the svc immediate
}

TEST_CASE("aarch64: interrupts are told apart from exceptions by the trap kind, not the ESR") {
  const auto timer = decode_interrupt(TrapKind::irq, interrupt_id::physical_timer);
  CHECK(timer.kind == EventKind::irq_timer);
  CHECK(timer.cause == interrupt_id::physical_timer);
  CHECK(cte::is_interrupt(timer.kind));
  CHECK(decode_interrupt(TrapKind::irq, interrupt_id::virtual_timer).kind == EventKind::irq_timer);

  const auto external = decode_interrupt(TrapKind::irq, 77);
  CHECK(external.kind == EventKind::irq_external);
  CHECK(external.cause == 77);  // the interrupt ID
  CHECK(external.ref == 77);
  CHECK(std::string(external.msg).size() > 0);

  const auto software = decode_interrupt(TrapKind::irq, 3);
  CHECK(software.kind == EventKind::irq_software);
  CHECK(software.ref == 3);

  const auto fiq = decode_interrupt(TrapKind::fiq, 40);
  CHECK(fiq.kind == EventKind::irq_external);
  CHECK(fiq.cause == 40);
  CHECK(decode_interrupt(TrapKind::fiq, interrupt_id::physical_timer).kind == EventKind::irq_external);

  // An IRQ is an interrupt whatever stale ESR value comes along; a synchronous trap never is.
  CHECK(decode(TrapCause{svc_esr_of(cte::voluntary_trap::yield), 0, TrapKind::irq, 77}).kind ==
        EventKind::irq_external);
  CHECK_FALSE(cte::is_interrupt(decode_sync(esr_of(exception_class::svc64)).kind));

  const auto serror = decode(TrapCause{esr_of(exception_class::serror, 0x1234), 0, TrapKind::serror});
  CHECK(serror.kind == EventKind::error);
  CHECK(serror.cause == esr_of(exception_class::serror, 0x1234));
  CHECK(std::string(serror.msg).size() > 0);
}

TEST_CASE("aarch64: unknown causes are errors, never silently ignored") {
  for (std::uint64_t ec : {0x02u, 0x03u, 0x0au, 0x0fu, 0x10u, 0x11u, 0x14u, 0x1du, 0x23u, 0x27u, 0x28u, 0x2du, 0x36u,
                           0x38u, 0x3bu, 0x3fu}) {
    INFO("EC " << ec);
    const auto event = decode_sync(esr_of(ec));
    CHECK(event.kind == EventKind::error);
    CHECK(std::string(event.msg).size() > 0);
  }
  CHECK(decode(TrapCause{0, 0, static_cast<TrapKind>(7)}).kind == EventKind::error);
}

TEST_CASE("aarch64: frame layout") {
  STATIC_REQUIRE(alignof(Frame) == 16);
  STATIC_REQUIRE(sizeof(Frame) % 16 == 0);
  STATIC_REQUIRE(sizeof(Frame) == 864);
  STATIC_REQUIRE(offsetof(Frame, q) % 16 == 0);
  STATIC_REQUIRE(offsetof(Frame, sp) == offsetof(Frame, x) + 31 * sizeof(std::uint64_t));
  STATIC_REQUIRE(sizeof(Frame::q) == 32 * 16);
  STATIC_REQUIRE(frame_gap >= sizeof(Frame));
}

TEST_CASE("aarch64: accessors follow the svc convention (x8 number, x0-x5 arguments, x0 result)") {
  Frame frame{};
  for (unsigned i = 0; i < 31; ++i) frame.x[i] = 1000 + i;
  frame.pc = 0x400000;
  frame.sp = 0x7ff0;
  CHECK(Isa::syscall_number(frame) == 1008);
  for (unsigned i = 0; i < Isa::syscall_arg_count; ++i) CHECK(Isa::arg(frame, i) == 1000 + i);
  Isa::set_arg(frame, 5, 55);
  CHECK(frame.x[5] == 55);
  CHECK(frame.x[6] == 1006);
  CHECK(Isa::return_value(frame) == 1000);
  Isa::set_return_value(frame, 9);
  CHECK(frame.x[0] == 9);
  CHECK(Isa::pc(frame) == 0x400000);
  Isa::set_pc(frame, 0x400004);
  CHECK(frame.pc == 0x400004);
  CHECK(Isa::sp(frame) == 0x7ff0);
  CHECK(std::string(Isa::name) == "aarch64");

  frame.trap_kind = static_cast<std::uint64_t>(TrapKind::synchronous);
  frame.esr = svc_esr_of(cte::voluntary_trap::thread_exit);
  CHECK(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::error);
  frame.esr = svc_esr_of(cte::voluntary_trap::yield);
  CHECK_FALSE(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::yield);
  frame.esr = svc_esr_of(cte::voluntary_trap::syscall);
  frame.x[8] = ~std::uint64_t{0} - 1;  // any number is a syscall
  CHECK_FALSE(Isa::is_thread_exit(frame));
  CHECK(Isa::decode(frame).kind == EventKind::syscall);
  frame.esr = svc_esr_of(cte::voluntary_trap::thread_exit);
  frame.trap_kind = static_cast<std::uint64_t>(TrapKind::irq);
  CHECK_FALSE(Isa::is_thread_exit(frame));

  frame.trap_kind = static_cast<std::uint64_t>(TrapKind::irq);
  frame.interrupt_id = interrupt_id::physical_timer;
  CHECK(Isa::decode(frame).kind == EventKind::irq_timer);
  frame.trap_kind = static_cast<std::uint64_t>(TrapKind::synchronous);
  frame.esr = esr_of(exception_class::data_abort_lower, 0x06);
  frame.far = 0x1000;
  CHECK(Isa::decode(frame).kind == EventKind::page_fault);
  CHECK(Isa::decode(frame).ref == 0x1000);
}

TEST_CASE("aarch64: every instruction is 4 bytes, and null or misaligned pcs are undecodable") {
  STATIC_REQUIRE(instruction_length(std::uintptr_t{0x400000}) == 4);
  STATIC_REQUIRE(instruction_length(std::uintptr_t{0}) == 0);
  alignas(4) static const std::uint32_t code[2] = {0xd4200000, 0xd503201f};  // brk #0; nop
  CHECK(Isa::instruction_length(&code[0]) == 4);
  CHECK(Isa::instruction_length(&code[1]) == 4);
  CHECK(Isa::instruction_length(reinterpret_cast<const char *>(code) + 2) == 0);
  CHECK(Isa::instruction_length(nullptr) == 0);
  CHECK(instruction_length(std::uintptr_t{0x400001}) == 0);
  CHECK(instruction_length(std::uintptr_t{0x400003}) == 0);
}
