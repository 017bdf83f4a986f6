#pragma once
// The library's own words, embedded in every ISA's Frame as `library`: one portable struct, so
// the dispatcher, the platforms and every port read them by the same names. Assembly reaches
// them as offsetof(Frame, library.state) etc.

#include <cstdint>

namespace cte {

// Bits of LibraryWords::state.
namespace frame_state {
// The interrupt-enable state the thread resumes with, on platforms that keep it in software
// (hosted); boards keep it in the ISA's own status word (mstatus.MPIE, SPSR.I, RFLAGS.IF).
inline constexpr std::uint64_t interrupts_enabled = 1u << 0;
// Saved at an arbitrary instruction (interrupt, signal, fault): every GPR and FP/SIMD register
// is live and comes back exactly. Clear for voluntary traps (yield, syscall, thread start),
// which are calls: caller-saved registers are dead there and need not be kept.
inline constexpr std::uint64_t asynchronous = 1u << 1;
// The trap was the thread running off its stack; the frame lives elsewhere and the thread
// cannot be resumed (the handler sees EventKind::stack_overflow).
inline constexpr std::uint64_t stack_overflow = 1u << 2;
// The upper half of `state`: parked_tag while the frame is parked, i.e. it describes a thread
// that waits to be resumed (kcontext made it, or the dispatcher left it for another Context),
// 0 otherwise. Trap entry writes `state` whole (one 64-bit store, in the stubs and the signal
// layer), so the frame of the trap in flight never carries it; the dispatcher clears it when
// it resumes the frame (detail/runtime.hpp: a Context the handler returns must be parked).
// One lui / movz / imm32: the check costs one instruction to form the constant on every ISA.
inline constexpr std::uint32_t parked_tag = 0x7c7e0000;
inline constexpr unsigned parked_tag_shift = 32;
}  // namespace frame_state

struct LibraryWords {
  std::uint64_t state;  // frame_state bits
  // Stack the thread runs on, when the library knows it (kcontext threads; {0,0} otherwise).
  std::uint64_t stack_start, stack_end;
  void *sanitizer_fake_stack;  // the sanitizer word of the thread: ASan fake stack or TSan fiber (detail/sanitizer.hpp)
};
static_assert(sizeof(LibraryWords) == 4 * sizeof(std::uint64_t));

}  // namespace cte
