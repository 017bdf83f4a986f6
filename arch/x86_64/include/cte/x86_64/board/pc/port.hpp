#pragma once
// The x86_64 bare-metal port of the pc board as the portable layer sees it: the same members
// as the hosted Port. cte's voluntary traps are calls to stubs that save a voluntary frame
// (voluntary_entry.hpp): yield, syscall (number in rax, arguments in rdi rsi rdx r10 r8 r9,
// the System V syscall convention the Isa reads) and the return of a kcontext entry function
// (thread exit), recorded with the vectors an `int` would have (vector::yield, ::syscall,
// ::thread_exit). The fast switch is the hosted one (x86_64::FastSwitch): pure user-level code
// that keeps nothing below the stack pointer.

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/x86_64/board/pc/dispatch.hpp>
#include <cte/x86_64/board/pc/extended_frame.hpp>
#include <cte/x86_64/board/pc/trap_entry.hpp>
#include <cte/x86_64/board/pc/voluntary_entry.hpp>
#include <cte/x86_64/fast_switch.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/kcontext_frame.hpp>

namespace cte::x86_64::pc {

// Bytes of a kcontext stack its initial frame may occupy below a 16-byte aligned top: the
// placement depends on the top's address modulo xsave::alignment, so the largest of the four.
constexpr std::size_t kcontext_footprint_at(std::uintptr_t top) {
  return top - frame_address_below(kcontext_thread_sp(top));
}
inline constexpr std::size_t kcontext_frame_footprint = [] {
  std::size_t most = 0;
  for (std::uintptr_t top = 0x10000; top < 0x10000 + xsave::alignment; top += 16)
    most = kcontext_footprint_at(top) > most ? kcontext_footprint_at(top) : most;
  return most;
}();

struct Port {
  using FastSwitch = x86_64::FastSwitch;
  static void yield_trap() { cte_x86_64_pc_yield(); }
  static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
    return cte_x86_64_pc_syscall(a0, a1, a2, a3, a4, a5, number);
  }

  static constexpr std::size_t kcontext_frame_footprint = pc::kcontext_frame_footprint;
  // The frame at the top of `stack` (validated by the caller): the thread starts at entry(arg)
  // as if called from cte_x86_64_pc_thread_exit, with the initial FP controls, x87 and SSE
  // from the legacy region and every extended component in its initial state.
  static Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
    Frame *const frame = frame_below(kcontext_thread_sp(reinterpret_cast<std::uintptr_t>(stack.end)));
    fill_kcontext_frame(*frame, stack, entry, arg, &cte_x86_64_pc_thread_exit);
    xsave_header(*frame) = xsave::Header{.state_bv = xsave::x87 | xsave::sse, .comp_bv = 0, .reserved = {}};
    frame->library.state = frame_state::asynchronous;
    return frame;
  }
};

}  // namespace cte::x86_64::pc
