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
}  // namespace frame_state

struct LibraryWords {
  std::uint64_t state;  // frame_state bits
  // Stack the thread runs on, when the library knows it (kcontext threads; {0,0} otherwise).
  std::uint64_t stack_start, stack_end;
  void *sanitizer_fake_stack;  // AddressSanitizer's fiber bookkeeping (null without ASan)
};
static_assert(sizeof(LibraryWords) == 4 * sizeof(std::uint64_t));

}  // namespace cte
