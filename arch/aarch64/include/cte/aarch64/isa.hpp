#pragma once
// aarch64 ISA traits (complete them with decode.hpp): how portable code reads a Frame (svc
// convention, as Linux and bare-metal code use it: number in x8, arguments x0-x5, result in x0).

#include <bit>
#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/instruction_length.hpp>
#include <cte/event.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::aarch64 {

struct Isa {
  using Frame = aarch64::Frame;
  using Word = std::uint64_t;
  static constexpr const char *name = "aarch64";
  static constexpr unsigned syscall_arg_count = 6;
  // Whether 16-byte vector registers always exist (true: Advanced SIMD (Neon) is part of the AArch64 baseline): where they do, the
  // dispatcher builds the handler's Event argument from two 16-byte halves (detail/runtime.hpp).
  static constexpr bool has_16_byte_vectors = true;

  static constexpr unsigned syscall_number_register = 8;
  static constexpr unsigned return_register = 0;
  static constexpr unsigned syscall_arg_registers[syscall_arg_count] = {0, 1, 2, 3, 4, 5};

  static Word pc(const Frame &f) { return f.pc; }
  static void set_pc(Frame &f, Word value) { f.pc = value; }
  static Word sp(const Frame &f) { return f.sp; }
  static Word syscall_number(const Frame &f) { return f.x[syscall_number_register]; }
  static Word return_value(const Frame &f) { return f.x[return_register]; }
  static void set_return_value(Frame &f, Word value) { f.x[return_register] = value; }
  static Word arg(const Frame &f, unsigned index) { return f.x[syscall_arg_registers[index]]; }
  static void set_arg(Frame &f, unsigned index, Word value) { f.x[syscall_arg_registers[index]] = value; }

  // Decodes the frame's trap cause (defined in decode.hpp).
  static BasicEvent<Isa> decode(const Frame &f);
  // On the dispatcher's common paths (resuming the Context that trapped) this is false: the
  // first test, the marker's one bit, already says so for an interrupt (ESR 0), a yield (ISS 1)
  // and a system call (ISS 0), before the whole ESR and the trap kind are compared.
  static bool is_thread_exit(const Frame &f) {
    static_assert(std::has_single_bit(voluntary_trap::thread_exit) &&
                  (voluntary_trap::yield & voluntary_trap::thread_exit) == 0 &&
                  (voluntary_trap::syscall & voluntary_trap::thread_exit) == 0);
    return (f.esr & voluntary_trap::thread_exit) != 0 && esr::iss(f.esr) == voluntary_trap::thread_exit &&
           esr::exception_class(f.esr) == exception_class::svc64 &&
           f.trap_kind == static_cast<std::uint64_t>(TrapKind::synchronous);
  }

  // Where the frame of a thread whose stack pointer is `sp` goes (frame.hpp): kcontext, the
  // trap stubs (frame_gap) and the hosted signal layer all place frames by this.
  static Frame *frame_below(std::uintptr_t sp) { return reinterpret_cast<Frame *>(frame_address_below(sp)); }

  // Length of the instruction at pc; 0 if it cannot be decoded.
  static constexpr std::size_t max_instruction_length = instruction_size;
  static std::size_t instruction_length(const void *pc) {
    return aarch64::instruction_length(reinterpret_cast<std::uintptr_t>(pc));
  }
};

}  // namespace cte::aarch64
