#pragma once
// x86_64 fast cooperative switch: only what the System V ABI makes callee-saved survives,
// and the compiler saves the live callee-saved registers itself, because the switch is inline
// assembly that declares every other register clobbered. What the switch itself keeps of a
// parked thread lives in its FastSwitchState, inside the FastContext, not on the thread's
// stack: RSP, RBP (which cannot be declared clobbered while it is the frame pointer), the
// resume address and, when asked, the FP controls. Nothing is pushed, so the caller's red zone
// is never touched, and a switch touches the two FastContexts and no stack memory of its own:
// in a ring of many threads that is one cache line less per switch, pulled from memory
// (docs/PERFORMANCE.md).
//
// Protocol between a switch and every resume address: RSI holds the resumed thread's own
// FastSwitchState (the switcher's `to`), so a resumed thread finds its FP controls there.
//
// The FP controls are the caller's choice (cte/fp_controls.hpp). With FpControls::per_thread
// MXCSR and the x87 control word are stored when a thread switches away and put back when it
// resumes. Reading MXCSR (stmxcsr, the only way to read it) is microcoded and costs more than
// the rest of the switch (docs/PERFORMANCE.md), so the default, FpControls::shared, leaves
// both alone. The resumed thread reloads MXCSR
// unconditionally (ldmxcsr is cheap; comparing would need a second read); the x87 control
// word is cheap to read and costlier to load, so it is compared with the live one and loaded
// only if another thread changed it. The resume address is reached with an indirect jmp, not
// ret, so the return-stack predictor stays in step with the real call stack.

#include <cstddef>
#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/detail/fresh_thread.hpp>
#include <cte/fp_controls.hpp>
#include <cte/x86_64/frame.hpp>

extern "C" {
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_x86_64_fast_thread_trampoline();
// Provided by the portable layer: runs entry(arg), reports an entry that returns.
[[noreturn]] void cte_fast_thread_main(void (*entry)(void *), void *arg);
}

namespace cte::x86_64 {

// A parked fast-switch thread, as the switch left it (null sp: not prepared yet).
struct FastSwitchState {
  void *sp = nullptr;
  std::uint64_t resume_address = 0;
  std::uint64_t rbp = 0;
  std::uint64_t rbx = 0;
  std::uint32_t mxcsr = 0;    // FpControls::per_thread only
  std::uint16_t fcw = 0;      // FpControls::per_thread only
  std::uint16_t scratch = 0;  // the live x87 control word, for the comparison at resume
};
static_assert(sizeof(FastSwitchState) == 40);

// A fresh thread's stack top: what the trampoline reads; its end is the 16-byte-aligned top.
using FreshThreadRecord = cte::detail::FreshThreadStart;

// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

  template <FpControls controls>
  static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
    FastSwitchState *save = &from;
    FastSwitchState *resume = &to;
    std::uint64_t fence_needed;  // 0 on every resume: see the end of this function
    asm volatile(
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, %c[resume_address](%[save])\n\t"
        "mov %%rbp, %c[rbp](%[save])\n\t"
        "mov %%rbx, %c[rbx](%[save])\n\t"
        "mov %%rsp, %c[sp](%[save])\n\t"
        ".if %c[per_thread]\n\t"  // this thread's FP controls, to put back when it resumes
        "stmxcsr %c[mxcsr](%[save])\n\t"
        "fnstcw %c[fcw](%[save])\n\t"
        ".endif\n\t"
        // Continue the other thread where its state says, with RSI = its state (the protocol).
        "mov %c[rbp](%[resume]), %%rbp\n\t"
        "mov %c[rbx](%[resume]), %%rbx\n\t"
        "mov %c[sp](%[resume]), %%rsp\n\t"
        "jmp *%c[resume_address](%[resume])\n"
        "1:\n\t"  // resumed here by another thread's switch; RSI = our state
        ".if %c[per_thread]\n\t"
        "ldmxcsr %c[mxcsr](%[resume])\n\t"
        "fnstcw %c[scratch](%[resume])\n\t"  // the x87 control word: loaded only if another thread changed it
        "movzwl %c[scratch](%[resume]), %%eax\n\t"
        "cmpw %c[fcw](%[resume]), %%ax\n\t"
        "je 2f\n\t"
        "fldcw %c[fcw](%[resume])\n"
        "2:\n\t"
        ".endif\n\t"
        "xor %k[fence_needed], %k[fence_needed]"
        : [save] "+D"(save), [resume] "+S"(resume), [fence_needed] "=a"(fence_needed)
        : [per_thread] "i"(controls == FpControls::per_thread), [sp] "i"(offsetof(FastSwitchState, sp)),
          [resume_address] "i"(offsetof(FastSwitchState, resume_address)), [rbp] "i"(offsetof(FastSwitchState, rbp)),
          [rbx] "i"(offsetof(FastSwitchState, rbx)), [mxcsr] "i"(offsetof(FastSwitchState, mxcsr)),
          [fcw] "i"(offsetof(FastSwitchState, fcw)), [scratch] "i"(offsetof(FastSwitchState, scratch))
        : "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc", "xmm0", "xmm1", "xmm2",
          "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#if defined(__AVX512F__)
          ,
          "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
          "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"
#endif
    );
    // 0 on every resume: the condition of the compiler fence that follows every switch
    // (cte/fast_switch.hpp).
    return fence_needed;
  }

  // Prepares `state` to start entry(arg) on the stack that ends at stack_end, with the FP
  // controls live when it is first switched to.
  static void prepare(FastSwitchState &state, std::uintptr_t stack_end, void (*entry)(void *), void *arg) {
    auto *fresh = reinterpret_cast<FreshThreadRecord *>((stack_end & ~std::uintptr_t{15}) - sizeof(FreshThreadRecord));
    fresh->entry = reinterpret_cast<std::uint64_t>(entry);
    fresh->arg = reinterpret_cast<std::uint64_t>(arg);
    state = FastSwitchState{};
    state.sp = fresh;
    state.resume_address = reinterpret_cast<std::uint64_t>(&cte_x86_64_fast_thread_trampoline);
  }

  static constexpr std::size_t fresh_thread_footprint = sizeof(FreshThreadRecord) + 16;
};

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- The first switch to a fresh thread jumps here with RSP = its FreshThreadRecord
      // (RBP = 0 from its state: the end of the frame-pointer chain for debuggers). Fetch
      // entry and arg and call into C++ with RSP 16-byte aligned (the record ends there).
      // The outermost frame of the thread: backtraces end here.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_thread_trampoline)
      "  .cfi_undefined %%rip\n"
      "  mov %c[entry](%%rsp), %%rdi\n"
      "  mov %c[arg](%%rsp), %%rsi\n"
      "  lea %c[size](%%rsp), %%rsp\n"
      "  call cte_fast_thread_main\n"
      "  ud2\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_fast_thread_trampoline) CTE_ASM_REENTER_ENCLOSING_FRAME
      ::[entry] "i"(offsetof(FreshThreadRecord, entry)),
      [arg] "i"(offsetof(FreshThreadRecord, arg)), [size] "i"(sizeof(FreshThreadRecord)));
}

}  // namespace cte::x86_64
