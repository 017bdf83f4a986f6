#pragma once
// riscv64 ISA traits (complete them with decode.hpp): how portable code reads a Frame.
// Syscall convention (Linux and Abstract Machine alike): number in a7, arguments a0-a5,
// result in a0.

#include <cstddef>
#include <cstdint>

#include <cte/event.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/instruction_length.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::riscv64 {

struct Isa {
  using Frame = riscv64::Frame;
  using Word = std::uint64_t;
  static constexpr const char *name = "riscv64";
  static constexpr unsigned syscall_arg_count = 6;
  // Whether 16-byte vector registers always exist (false: RV64GC has none (the V extension is not assumed)): where they do, the
  // dispatcher builds the handler's Event argument from two 16-byte halves (detail/runtime.hpp).
  static constexpr bool has_16_byte_vectors = false;

  static Word pc(const Frame &f) { return f.pc; }
  static void set_pc(Frame &f, Word value) { f.pc = value; }
  static Word sp(const Frame &f) { return f.x[reg::sp]; }
  static Word syscall_number(const Frame &f) { return f.x[reg::a7]; }
  static Word return_value(const Frame &f) { return f.x[reg::a0]; }
  static void set_return_value(Frame &f, Word value) { f.x[reg::a0] = value; }

  static constexpr unsigned syscall_args[syscall_arg_count] = {reg::a0, reg::a1, reg::a2, reg::a3, reg::a4, reg::a5};
  static Word arg(const Frame &f, unsigned index) { return f.x[syscall_args[index]]; }
  static void set_arg(Frame &f, unsigned index, Word value) { f.x[syscall_args[index]] = value; }

  // Decodes the frame's trap cause (defined in decode.hpp).
  static BasicEvent<Isa> decode(const Frame &f);
  // An ecall (any privilege) whose tval marks a returned kcontext thread.
  // (tval first: on the trap path it is the one comparison that usually decides.)
  static bool is_thread_exit(const Frame &f) {
    return f.tval == voluntary_trap::thread_exit && cause::is_ecall(f.cause);
  }

  // Where the frame of a thread whose stack pointer is `sp` goes: directly below sp, aligned
  // down to the frame's alignment (the psABI has no red zone: nothing below sp is live). Every
  // placement uses it (kcontext, the hosted signal layer); the stubs subtract sizeof(Frame)
  // from an sp the psABI keeps 16-byte aligned at a call, which is the same address:
  static Frame *frame_below(std::uintptr_t sp) {
    return reinterpret_cast<Frame *>((sp - sizeof(Frame)) & ~std::uintptr_t{alignof(Frame) - 1});
  }
  static_assert(sizeof(Frame) % alignof(Frame) == 0 && alignof(Frame) == 16,
                "sp - sizeof(Frame) is frame_below(sp) for the 16-byte aligned sp of a call");

  // Length of the instruction at pc; 0 if it cannot be decoded.
  static constexpr std::size_t max_instruction_length = 4;  // RV64GC: 16- and 32-bit encodings
  static std::size_t instruction_length(const void *pc) { return riscv64::instruction_length(pc); }
};

}  // namespace cte::riscv64
