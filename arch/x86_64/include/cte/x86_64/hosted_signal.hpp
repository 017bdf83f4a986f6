#pragma once
// x86_64 under Linux: a signal's ucontext <-> Frame, and signal -> x86 trap cause. Linux
// reports the real hardware vector (REG_TRAPNO), error code and CR2, so a hosted kernel sees
// the same vectors a bare-metal one does.

#include <signal.h>
#include <ucontext.h>

#include <cstdint>
#include <cstring>

#include <cte/context.hpp>
#include <cte/detail/valgrind.hpp>
#include <cte/interrupt_source.hpp>
#include <cte/x86_64/frame.hpp>
#include <cte/x86_64/guarded_touch.hpp>
#include <cte/x86_64/isa.hpp>
#include <cte/x86_64/trap_entry.hpp>
#include <cte/x86_64/xsave.hpp>

namespace cte::x86_64 {

struct HostedSignals {
  // First thing in the signal handler: the interrupted code may have EFLAGS.AC set (alignment
  // checking), which the kernel leaves on for the handler; the handler's own code must not
  // fault on a misaligned access. The interrupted code gets its flags back from its frame.
  static void enter_handler() {
    asm volatile(
        "lea -%c[red_zone](%%rsp), %%rsp\n\t"  // pushfq must not land in a red zone
        "pushfq\n\t"
        "andl %[clear_ac], (%%rsp)\n\t"
        "popfq\n\t"
        "lea %c[red_zone](%%rsp), %%rsp"
        :
        : [red_zone] "i"(red_zone), [clear_ac] "i"(~alignment_check_flag)
        : "memory", "cc");
  }
  static constexpr std::uint32_t alignment_check_flag = 1u << 18;  // EFLAGS.AC

  static std::uintptr_t pc(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.gregs[REG_RIP]); }
  static void set_pc(ucontext_t &uc, std::uintptr_t pc) { uc.uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(pc); }
  // The readability probe's touch (platform/hosted_read_probe.hpp).
  using GuardedTouch = x86_64::GuardedTouch;
  static std::uintptr_t sp(const ucontext_t &uc) { return static_cast<std::uintptr_t>(uc.uc_mcontext.gregs[REG_RSP]); }

  // The XSAVE image of a signal frame, if the kernel saved one: Linux marks it in the FXSAVE
  // image's software bytes (struct _fpx_sw_bytes: magic1, the image's size) and puts magic2
  // right after it. Null without XSAVE (or in a signal frame another layer built).
  struct SignalXsave {
    std::uint8_t *image = nullptr;
    std::size_t size = 0;
  };
  static SignalXsave signal_xsave(const ucontext_t &uc) {
    auto *image = reinterpret_cast<std::uint8_t *>(uc.uc_mcontext.fpregs);
    if (!image) return {};
    _fpx_sw_bytes marker;
    std::memcpy(&marker, image + offsetof(FxsaveArea, extended), sizeof marker);
    if (marker.magic1 != FP_XSTATE_MAGIC1 || marker.xstate_size < xsave_header_offset + xsave_header_size) return {};
    std::uint32_t magic2;
    std::memcpy(&magic2, image + marker.xstate_size, sizeof magic2);
    if (magic2 != FP_XSTATE_MAGIC2) return {};
    return {image, marker.xstate_size};
  }

  // XSTATE_BV of an XSAVE image: which components it holds.
  static std::uint64_t xstate_bv(const std::uint8_t *image) {
    std::uint64_t bits;
    std::memcpy(&bits, image + xsave_header_offset, sizeof bits);
    return bits;
  }
  static void set_xstate_bv(std::uint8_t *image, std::uint64_t bits) {
    std::memcpy(image + xsave_header_offset, &bits, sizeof bits);
  }

  // Every register of the interrupted code; the frame is marked asynchronous. The XSAVE state
  // beyond the FXSAVE image goes into the area below the frame (frame.hpp), sized from CPUID as
  // on a board. Only a frame on the interrupted stack has that area: a frame elsewhere (the
  // stack-overflow frame, which is never resumed) keeps x87/SSE only.
  static void save(const ucontext_t &uc, Frame &f) {
    const SignalXsave xsave = signal_xsave(uc);
    const std::size_t reserved = xsave_area_size();
    const bool on_stack = &f == Isa::frame_below(sp(uc));
    const bool extended = xsave.image && xsave.size <= reserved && on_stack;
    const std::uintptr_t area = xsave_area_below(reinterpret_cast<std::uintptr_t>(&f), reserved);
    // Everything below the red zone that the Context and its resume use (Valgrind: detail/valgrind.hpp).
    if (on_stack) {
      const std::uintptr_t lowest = extended ? area : reinterpret_cast<std::uintptr_t>(&f);
      cte::detail::valgrind_claim_below_stack_pointer(reinterpret_cast<const void *>(lowest),
                                                      sp(uc) - red_zone - lowest);
    }
    const greg_t *g = uc.uc_mcontext.gregs;
    const auto r = [g](int index) { return static_cast<std::uint64_t>(g[index]); };
#define CTE_X86_64_FROM_UCONTEXT_(name, NAME) f.name = r(REG_##NAME);
    CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_FROM_UCONTEXT_)
    CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_FROM_UCONTEXT_)
#undef CTE_X86_64_FROM_UCONTEXT_
    f.vector = r(REG_TRAPNO), f.error_code = r(REG_ERR), f.fault_address = r(REG_CR2), f.payload = 0;
    static_assert(sizeof(*uc.uc_mcontext.fpregs) == sizeof(FxsaveArea));
    if (uc.uc_mcontext.fpregs) std::memcpy(&f.fpu, uc.uc_mcontext.fpregs, sizeof(FxsaveArea));
    f.fpu.extended = {};
    f.library.state = frame_state::asynchronous;
    if (!extended) return;
    std::memcpy(reinterpret_cast<void *>(area), xsave.image, xsave.size);
    f.fpu.extended.area = area;
    f.fpu.extended.size = xsave.size;
  }

  // Makes the signal return resume `f`. A voluntary frame carries only the FP control words:
  // the x87 stack is empty and every vector register is dead at a call, so only those are set.
  // An asynchronous frame gets its whole FXSAVE image (but the kernel's marker bytes) and the
  // rest of its XSAVE state from its area; one without an area (none was saved, or its size
  // differs from this signal frame's) resumes with the vector registers beyond XMM in their
  // initial state (zero), never another thread's. Either way the kernel loads the FXSAVE image
  // (its XSTATE_BV bits set): the handler may have changed it.
  static void load(const Frame &f, ucontext_t &uc) {
    greg_t *g = uc.uc_mcontext.gregs;
    // (Of RFLAGS the kernel keeps only the flags user mode may change.)
#define CTE_X86_64_TO_UCONTEXT_(name, NAME) g[REG_##NAME] = static_cast<greg_t>(f.name);
    CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_TO_UCONTEXT_)
    CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_TO_UCONTEXT_)
#undef CTE_X86_64_TO_UCONTEXT_
    if (!uc.uc_mcontext.fpregs) return;
    const SignalXsave xsave = signal_xsave(uc);
    if (f.library.state & frame_state::asynchronous) {
      std::memcpy(uc.uc_mcontext.fpregs, &f.fpu, offsetof(FxsaveArea, extended));
      if (!xsave.image) return;
      if (f.fpu.extended.area && f.fpu.extended.size == xsave.size) {
        const auto *area = reinterpret_cast<const std::uint8_t *>(f.fpu.extended.area);
        std::memcpy(xsave.image + xsave_header_offset, area + xsave_header_offset, xsave.size - xsave_header_offset);
      } else {
        set_xstate_bv(xsave.image, xstate_bv(xsave.image) & ~xsave_vector_components);
      }
    } else {
      uc.uc_mcontext.fpregs->cwd = f.fpu.fcw;
      uc.uc_mcontext.fpregs->mxcsr = f.fpu.mxcsr;
      uc.uc_mcontext.fpregs->swd = 0;
      uc.uc_mcontext.fpregs->ftw = 0;  // abridged tag word: every x87 register empty
    }
    if (xsave.image) set_xstate_bv(xsave.image, xstate_bv(xsave.image) | xsave_legacy_components);
  }

  // The hardware vector Linux reported, or one derived from the signal when it was sent by
  // software (kill, raise). A breakpoint's pc is moved back onto the int3, as on every ISA.
  static void set_exception_cause(Frame &f, int signo, const siginfo_t &info) {
    if (info.si_code <= 0) f.vector = software_vector(signo);  // SI_USER, SI_TKILL, SI_QUEUE: no hardware trap
    if (signo == SIGSEGV || signo == SIGBUS) f.fault_address = reinterpret_cast<std::uintptr_t>(info.si_addr);
    // A bus error is an access the MMU allowed but nothing backs (a mapping past its file's
    // end): x86 has no such fault, #GP is the closest. Alignment checks report no address.
    if (signo == SIGBUS) f.vector = info.si_code == BUS_ADRALN ? vector::alignment_check : vector::general_protection;
    if (f.vector == vector::alignment_check) f.fault_address = 0;
    if (f.vector == vector::breakpoint && *reinterpret_cast<const std::uint8_t *>(f.rip - 1) == int3_opcode) f.rip -= 1;
  }

  static std::uint64_t software_vector(int signo) {
    switch (signo) {
      case SIGILL: return vector::invalid_opcode;
      case SIGTRAP: return vector::breakpoint;
      case SIGFPE: return vector::divide_error;
      case SIGSEGV: return vector::page_fault;
      case SIGBUS: return vector::alignment_check;
      default: return vector::general_protection;
    }
  }

  static std::uint64_t interrupt_vector(InterruptSource source) {
    switch (source) {
      case InterruptSource::timer: return vector::timer;
      case InterruptSource::external: return vector::external_first;
      case InterruptSource::software: return vector::software_interrupt;
    }
    return vector::software_interrupt;
  }

  static void set_interrupt_cause(Frame &f, InterruptSource source, std::uint64_t payload) {
    f.vector = interrupt_vector(source);
    f.error_code = 0;
    f.fault_address = 0;
    f.payload = payload;
  }

  // Delivers a held-back interrupt now, as a trap of the calling thread (used by iset(true)).
  static void interrupt_trap(InterruptSource source, std::uint64_t payload) {
    cte_x86_64_interrupt_trap(interrupt_vector(source), payload);
  }

  static constexpr std::uint8_t int3_opcode = 0xcc;
};

}  // namespace cte::x86_64
