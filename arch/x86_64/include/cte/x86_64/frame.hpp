#pragma once
// x86_64 trap frame: what trap entry saves on the interrupted stack and restore reloads.
// Assembly reads every offset from this type (offsetof as asm operands).

#include <cstddef>
#include <cstdint>

#include <cte/library_words.hpp>

namespace cte::x86_64 {

// Layout of the FXSAVE image: x87 state, MXCSR, XMM0-15 (Intel SDM vol. 1, table 10-2).
struct alignas(16) FxsaveArea {
  std::uint16_t fcw;  // x87 control word
  std::uint16_t fsw;
  std::uint8_t ftw;
  std::uint8_t reserved0;
  std::uint16_t fop;
  std::uint64_t fip;
  std::uint64_t fdp;
  std::uint32_t mxcsr;
  std::uint32_t mxcsr_mask;
  std::uint8_t st[8][16];
  std::uint8_t xmm[16][16];
  std::uint8_t reserved1[96];
};
static_assert(sizeof(FxsaveArea) == 512);
static_assert(offsetof(FxsaveArea, mxcsr) == 24);
static_assert(offsetof(FxsaveArea, xmm) == 160);

// Software trap vectors used where no hardware vector exists (and by bare metal with `int`).
namespace vector {
inline constexpr std::uint64_t divide_error = 0;
inline constexpr std::uint64_t debug = 1;
inline constexpr std::uint64_t nmi = 2;
inline constexpr std::uint64_t breakpoint = 3;
inline constexpr std::uint64_t overflow = 4;
inline constexpr std::uint64_t bound_range = 5;
inline constexpr std::uint64_t invalid_opcode = 6;
inline constexpr std::uint64_t device_not_available = 7;
inline constexpr std::uint64_t double_fault = 8;
inline constexpr std::uint64_t invalid_tss = 10;
inline constexpr std::uint64_t segment_not_present = 11;
inline constexpr std::uint64_t stack_segment = 12;
inline constexpr std::uint64_t general_protection = 13;
inline constexpr std::uint64_t page_fault = 14;
inline constexpr std::uint64_t x87_fp = 16;
inline constexpr std::uint64_t alignment_check = 17;
inline constexpr std::uint64_t machine_check = 18;
inline constexpr std::uint64_t simd_fp = 19;
inline constexpr std::uint64_t timer = 32;         // first vector after the exceptions: the tick
inline constexpr std::uint64_t external_first = 33;
inline constexpr std::uint64_t syscall = 0x80;     // `int $0x80`, as Linux i386 and Nanos-lite
inline constexpr std::uint64_t yield = 0x81;       // `int $0x81`, as Abstract Machine x86
inline constexpr std::uint64_t thread_exit = 0x82; // a kcontext entry function returned
inline constexpr std::uint64_t software_interrupt = 0x83;
}  // namespace vector

struct alignas(16) Frame {
  // General-purpose registers, in the order trap entry stores them.
  std::uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
  std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  std::uint64_t rip, rsp, rflags;
  // Why the trap happened.
  std::uint64_t vector;         // IDT vector or software vector (see namespace vector)
  std::uint64_t error_code;     // CPU error code, or signal si_code when hosted
  std::uint64_t fault_address;  // CR2, or si_addr when hosted
  std::uint64_t payload;        // interrupt payload (external interrupt line / kick value)
  // The library's own words (cte/library_words.hpp).
  LibraryWords library;
  // x87/SSE state. With frame_state::asynchronous clear only fcw and mxcsr are meaningful:
  // a voluntary trap (a call) need not keep caller-saved XMM registers.
  FxsaveArea fpu;
};
static_assert(offsetof(Frame, fpu) % 16 == 0, "fxsave needs a 16-byte aligned area");
static_assert(sizeof(Frame) % 16 == 0, "frames stack at 16-byte alignment");
static_assert(sizeof(Frame) == 720);

// Restore needs four words just below the resumed thread's 128-byte red zone (RAX, RFLAGS,
// the interrupt-enable word, RIP, popped in that order) when it resumes an asynchronous frame.
// Every frame therefore lies below that window. (A voluntary frame resumes at a call boundary,
// where the red zone is dead: restore puts those words inside it.)
inline constexpr std::size_t red_zone = 128;
inline constexpr std::size_t restore_window = 4 * 8;
// Distance from a thread's stack pointer down to the frame that describes it.
inline constexpr std::size_t frame_gap = ((red_zone + restore_window + 15) / 16) * 16 + sizeof(Frame);

}  // namespace cte::x86_64
