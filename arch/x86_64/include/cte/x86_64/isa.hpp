#pragma once
// x86_64 ISA traits (complete them with decode.hpp): how portable code reads a Frame (System V syscall convention:
// number in rax, arguments rdi rsi rdx r10 r8 r9, result in rax).

#include <cstddef>
#include <cstdint>

#include <cte/event.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/instruction_length.hpp>

namespace cte::x86_64 {

struct Isa {
  using Frame = x86_64::Frame;
  using Word = std::uint64_t;
  static constexpr const char *name = "x86_64";
  static constexpr unsigned syscall_arg_count = 6;
  // Whether 16-byte vector registers always exist (true: SSE2 is part of the x86-64 baseline): where they do, the
  // dispatcher builds the handler's Event argument from two 16-byte halves (detail/runtime.hpp).
  static constexpr bool has_16_byte_vectors = true;

  static Word pc(const Frame &f) { return f.rip; }
  static void set_pc(Frame &f, Word value) { f.rip = value; }
  static Word sp(const Frame &f) { return f.rsp; }
  static Word syscall_number(const Frame &f) { return f.rax; }
  static Word return_value(const Frame &f) { return f.rax; }
  static void set_return_value(Frame &f, Word value) { f.rax = value; }

  static constexpr Word Frame::*const syscall_args[syscall_arg_count] = {&Frame::rdi, &Frame::rsi, &Frame::rdx,
                                                                         &Frame::r10, &Frame::r8,  &Frame::r9};
  static Word arg(const Frame &f, unsigned index) { return f.*syscall_args[index]; }
  static void set_arg(Frame &f, unsigned index, Word value) { f.*syscall_args[index] = value; }

  // Decodes the frame's trap cause (defined in decode.hpp).
  static BasicEvent<Isa> decode(const Frame &f);
  static bool is_thread_exit(const Frame &f) { return f.vector == vector::thread_exit; }

  // Length of the instruction at pc; 0 if it cannot be decoded.
  static constexpr std::size_t max_instruction_length = 15;  // the architectural maximum
  static std::size_t instruction_length(const void *pc) {
    return x86_64::instruction_length(static_cast<const std::uint8_t *>(pc));
  }

  // Frame placement, the one rule for every frame cte builds below a thread's stack pointer:
  // trap stubs, kcontext and the hosted signal layer. The frame lies below the thread's red
  // zone (live data of a thread interrupted anywhere) and below the restore window that
  // resuming it writes there, 16-byte aligned for fxsave.
  static constexpr std::uintptr_t frame_address_below(std::uintptr_t sp) {
    return (sp - red_zone - restore_window - sizeof(Frame)) & ~std::uintptr_t{15};
  }
  static Frame *frame_below(std::uintptr_t sp) { return reinterpret_cast<Frame *>(frame_address_below(sp)); }
};

// Distance from a thread's stack pointer at a call boundary (16-byte aligned: every voluntary
// trap) down to its frame: what the trap stubs subtract. It is Isa::frame_below's distance
// at any 16-byte aligned address (two samples, 0x10000 and 0x10010, pin that).
inline constexpr std::size_t frame_gap = 0x10000 - Isa::frame_address_below(0x10000);
static_assert(Isa::frame_address_below(0x10010) == 0x10010 - frame_gap);
static_assert(frame_gap % 16 == 0 && frame_gap >= red_zone + restore_window + sizeof(Frame));
// At any stack pointer the frame leaves the red zone and the restore window free.
static_assert(Isa::frame_address_below(0x10008) + sizeof(Frame) + red_zone + restore_window <= 0x10008);

}  // namespace cte::x86_64
