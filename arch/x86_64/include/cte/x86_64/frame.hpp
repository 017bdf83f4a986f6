#pragma once
// x86_64 trap frame: what trap entry saves on the interrupted stack and restore reloads.
// Assembly reads every offset from this type (offsetof as asm operands).

#include <cstddef>
#include <cstdint>

#include <cte/library_words.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::x86_64 {

// The state beyond the FXSAVE image (AVX and later: ymm upper halves, AVX-512, ...) of an
// asynchronous frame of the hosted port: a complete XSAVE area in standard form (legacy region,
// header, then each component at the offset CPUID leaf 0xD gives it), 64-byte aligned, directly
// below the Frame (xsave_area_below). Its x87 and SSE components are the Frame's `fpu`, which a
// handler edits; the area supplies the rest. Recorded in FXSAVE bytes 464-511, which FXSAVE and
// XSAVE never write (software may use them; Linux marks its signal frames' XSAVE state there
// too). The pc board, whose trap entry saves everything with one XSAVE, does not use it: there
// the Frame's `fpu` is the legacy region of the area and the rest follows directly above the
// Frame (board/pc/extended_frame.hpp).
struct ExtendedState {
  std::uint64_t area;  // the XSAVE area's address; 0: none (voluntary frames, or no XSAVE)
  std::uint64_t size;  // bytes of it that hold state
  std::uint64_t unused[4];
};

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
  std::uint8_t reserved1[48];
  ExtendedState extended;  // bytes 464-511: for software
};
static_assert(sizeof(FxsaveArea) == 512);
static_assert(offsetof(FxsaveArea, extended) == 464);
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
inline constexpr std::uint64_t timer = 32;  // first vector after the exceptions: the tick
inline constexpr std::uint64_t external_first = 33;
// The voluntary traps: `int $0x80` + their voluntary_trap marker (cte/voluntary_trap.hpp).
inline constexpr std::uint64_t voluntary_base = 0x80;
inline constexpr std::uint64_t syscall = voluntary_base + voluntary_trap::syscall;  // `int $0x80`, as Linux i386
inline constexpr std::uint64_t yield = voluntary_base + voluntary_trap::yield;  // `int $0x81`, as Abstract Machine x86
inline constexpr std::uint64_t thread_exit =
    voluntary_base + voluntary_trap::thread_exit;  // an entry function returned
inline constexpr std::uint64_t software_interrupt = 0x83;
}  // namespace vector

// The general-purpose registers a Frame holds besides RSP, in frame order, as X(name, NAME)
// (REG_NAME: the register's index in a Linux signal's ucontext). The one list of them: the
// Frame's fields, the trap stubs' stores and loads and the hosted signal layer's copies all
// expand it. RAX comes first and apart, because every stub moves it on its own (it is the
// stubs' scratch register).
// clang-format off
#define CTE_X86_64_REGISTERS_AFTER_RAX(X)                                                                             \
  X(rbx, RBX)                                                                                                         \
  X(rcx, RCX)                                                                                                         \
  X(rdx, RDX)                                                                                                         \
  X(rsi, RSI) X(rdi, RDI) X(rbp, RBP) X(r8, R8) X(r9, R9) X(r10, R10) X(r11, R11) X(r12, R12) X(r13, R13) X(r14, R14) \
      X(r15, R15)
// clang-format on
#define CTE_X86_64_GENERAL_REGISTERS(X) X(rax, RAX) CTE_X86_64_REGISTERS_AFTER_RAX(X)
// The general registers the System V ABI makes callee-saved, as X(name, DWARF column): all a
// voluntary frame (a trap that is a call) must keep besides RSP and RIP; the others are dead at
// the call (RAX comes back as the return value).
// clang-format off
#define CTE_X86_64_CALLEE_SAVED_REGISTERS(X) X(rbx, 3) X(rbp, 6) X(r12, 12) X(r13, 13) X(r14, 14) X(r15, 15)
// clang-format on
// Where the thread runs, after the general registers (X(name, NAME) as above; RFLAGS is REG_EFL).
#define CTE_X86_64_CONTROL_REGISTERS(X) X(rip, RIP) X(rsp, RSP) X(rflags, EFL)

#define CTE_X86_64_FRAME_FIELD_(name, NAME) std::uint64_t name;

struct alignas(16) Frame {
  CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_FRAME_FIELD_)
  CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_FRAME_FIELD_)
  // Why the trap happened.
  std::uint64_t vector;         // IDT vector or software vector (see namespace vector)
  std::uint64_t error_code;     // CPU error code, or signal si_code when hosted
  std::uint64_t fault_address;  // CR2, or si_addr when hosted
  std::uint64_t payload;        // interrupt payload (external interrupt line / kick value)
  // The library's own words (cte/library_words.hpp).
  LibraryWords library;
  // x87/SSE state. With frame_state::asynchronous clear only fcw and mxcsr are meaningful:
  // a voluntary trap (a call) need not keep caller-saved XMM registers. An asynchronous frame
  // keeps the rest of the XSAVE state below itself (fpu.extended).
  FxsaveArea fpu;
};
#undef CTE_X86_64_FRAME_FIELD_
static_assert(offsetof(Frame, rax) == 0 && offsetof(Frame, r15) == 14 * 8 && offsetof(Frame, rip) == 15 * 8);
static_assert(offsetof(Frame, fpu) % 16 == 0, "fxsave needs a 16-byte aligned area");
static_assert(sizeof(Frame) % 16 == 0, "frames stack at 16-byte alignment");
static_assert(sizeof(Frame) == 720);

// The XSAVE area in standard form (Intel SDM vol. 1, 13.4): the FXSAVE image as its legacy
// region, then a 64-byte header whose first word, XSTATE_BV, says which components hold
// non-initial state; XSAVE and XRSTOR need it 64-byte aligned.
inline constexpr std::size_t xsave_alignment = 64;
inline constexpr std::size_t xsave_header_offset = sizeof(FxsaveArea);
inline constexpr std::size_t xsave_header_size = 64;
// Components 0 (x87) and 1 (SSE) are the FXSAVE image; the Frame's `fpu` holds them.
inline constexpr std::uint64_t xsave_legacy_components = 0x3;
// The vector-register components: AVX (ymm upper halves) and AVX-512 (opmask, zmm upper
// halves, zmm16-31).
inline constexpr std::uint64_t xsave_vector_components = (1u << 2) | (1u << 5) | (1u << 6) | (1u << 7);

// Where the XSAVE area of `size` bytes belonging to the hosted frame at `frame` lies: directly
// below it, 64-byte aligned (see ExtendedState).
constexpr std::uintptr_t xsave_area_below(std::uintptr_t frame, std::size_t size) {
  return (frame - size) & ~std::uintptr_t{xsave_alignment - 1};
}

// The System V ABI lets a function keep data in the 128 bytes below RSP without moving RSP.
// A thread interrupted at an arbitrary instruction may have live data there, so nothing that
// describes or resumes it may be written there (frame placement: Isa::frame_below).
inline constexpr std::size_t red_zone = 128;

// The words the asynchronous resume writes on the resumed thread's stack and pops as its last
// instructions (trap_entry.hpp), in pop order: RSP steps into the window once every other register is
// loaded, and RIP, popped last, takes RSP back out of it.
struct RestoreWindow {
  std::uint64_t rax;
  std::uint64_t rflags;
  std::uint64_t enable_word;  // the hosted interrupt-enable word the thread resumes with
  std::uint64_t rip;
};
static_assert(offsetof(RestoreWindow, rflags) == offsetof(RestoreWindow, rax) + 8 &&
                  offsetof(RestoreWindow, enable_word) == offsetof(RestoreWindow, rflags) + 8 &&
                  offsetof(RestoreWindow, rip) == offsetof(RestoreWindow, enable_word) + 8 &&
                  offsetof(RestoreWindow, rax) == 0,
              "restore pops the window in field order");
inline constexpr std::size_t restore_window = sizeof(RestoreWindow);

}  // namespace cte::x86_64
