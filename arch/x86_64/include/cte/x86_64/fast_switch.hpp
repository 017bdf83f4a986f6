#pragma once
// x86_64 fast cooperative switch, in two forms that resume a thread the same way (load RBX,
// RBP, RSP from its state, jmp to its resume address), so either may resume a thread the other
// parked (cte/fast_switch.hpp says when to use which):
//
// - Inline (switch_threads): inline assembly that declares every register but RBX, RBP and
//   RSP clobbered, so the compiler saves only the callee-saved registers that are live, and
//   in a loop does so once, outside it. Each place that switches has its own indirect jmp,
//   which the branch predictor learns per place.
// - Called (call_shared, call_per_thread): an assembly function the compiler calls like any System V
//   function, and jumps to when the call ends a function (a sibling call). It stores the
//   callee-saved registers (RBX, RBP, R12-R15); the thread resumes through a stub that loads
//   R12-R15 and jumps to the return address left on its stack. No `ret` crosses the
//   switch: a `ret` is predicted from the return-stack buffer, which holds the call that
//   parked the *other* thread, and misses whenever the two threads called from different
//   places. A scheduler function that ends in the called switch returns to its caller through
//   the switch's indirect jmp; one that inlines the switch returns with a `ret` that misses.
//
// Either way the parked thread's registers live in its FastSwitchState, one cache line, not
// on its stack; the inline form pushes nothing (the caller's red zone is never touched). The
// resume stub's jmp to the caller is predicted from branch history; the `call` leaves one
// stale return-stack entry, which costs nothing until a `ret` further out that crosses a
// switch (that one could not be predicted anyway).
//
// A thread parked with FpControls::per_thread stored MXCSR and the x87 control word (in its
// state, or below its return address for the called form) and resumes through code that puts
// them back: MXCSR unconditionally (ldmxcsr is cheap; stmxcsr, the only way to read it, costs
// more than the rest of the switch, docs/PERFORMANCE.md, so it is read once per switch), the
// x87 control word only if another thread changed it (fnstcw is cheap, fldcw is not).
// Protocol between a switch and every resume address: RSI holds the resumed thread's state.
//
// Order: the inline switch loads the resumed thread's RSP before it stores the switcher's.
// Stored first, the load reads a field the same instructions have just written for the other
// thread, and where the inline switch is shared code (a scheduler function with the switch in
// it) AMD Zen then loses about 1.4 ns per switch (docs/PERFORMANCE.md). Loaded early, the
// value would be stale for a switch to the running thread's own state: the portable layer
// never asks for one (fast_switch(a, a) returns before the port is called). The called switch
// keeps the plain order: its cost is the call, and the early load measured no better there.
//
// A FastContext never prepared resumes at cte_x86_64_fast_unprepared (the default resume
// address), which reports it on the switcher's stack: no test on the switch path.

#include <cstddef>
#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/detail/fresh_thread.hpp>
#include <cte/fp_controls.hpp>
#include <cte/x86_64/frame.hpp>

extern "C" {
// The resume address of a FastContext never prepared: a fatal report.
void cte_x86_64_fast_unprepared();
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_x86_64_fast_thread_trampoline();
}

namespace cte::x86_64 {

// The FP controls as a per_thread switch keeps them.
struct FpControlsWord {
  std::uint32_t mxcsr;
  std::uint16_t fcw;
  std::uint16_t scratch;  // the live x87 control word, for the comparison at resume
};
static_assert(sizeof(FpControlsWord) == 8);

// A parked fast-switch thread, as the switch left it (null sp: not prepared yet).
struct alignas(64) FastSwitchState {
  void *sp = nullptr;
  void (*resume_address)() = &cte_x86_64_fast_unprepared;
  std::uint64_t rbx = 0;
  std::uint64_t rbp = 0;  // 0 for a fresh thread: the end of the frame-pointer chain
  union {
    std::uint64_t r12 = 0;       // called switch
    FpControlsWord fp_controls;  // inline per_thread switch (the compiler keeps R12 itself)
  };
  std::uint64_t r13 = 0;
  std::uint64_t r14 = 0;
  std::uint64_t r15 = 0;
};
static_assert(sizeof(FastSwitchState) == 64, "one cache line");

}  // namespace cte::x86_64

extern "C" {
// The called switch: parks the caller in `from`, resumes `to`; returns when someone resumes
// `from`. The _fp form also gives the caller its own FP controls back when it resumes.
void cte_x86_64_fast_switch_call(cte::x86_64::FastSwitchState *from, cte::x86_64::FastSwitchState *to) noexcept;
void cte_x86_64_fast_switch_call_fp(cte::x86_64::FastSwitchState *from, cte::x86_64::FastSwitchState *to) noexcept;
}

namespace cte::x86_64 {

// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

  template <FpControls controls>
  static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
    FastSwitchState *save = &from;
    FastSwitchState *resume = &to;
    asm volatile goto(
        "mov %c[sp](%[resume]), %%rcx\n\t"  // the other thread's RSP before ours is stored (top of file)
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, %c[resume_address](%[save])\n\t"
        "mov %%rbp, %c[rbp](%[save])\n\t"
        "mov %%rbx, %c[rbx](%[save])\n\t"
        "mov %%rsp, %c[sp](%[save])\n\t"
        ".if %c[per_thread]\n\t"  // our FP controls, for the protocol and for our resume
        "stmxcsr %c[fp_controls]+%c[mxcsr](%[save])\n\t"
        "fnstcw %c[fp_controls]+%c[fcw](%[save])\n\t"
        ".endif\n\t"
        // Continue the other thread where its state says, with RSI = its state.
        "mov %c[rbp](%[resume]), %%rbp\n\t"
        "mov %c[rbx](%[resume]), %%rbx\n\t"
        "mov %%rcx, %%rsp\n\t"
        "jmp *%c[resume_address](%[resume])\n"
        "1:\n\t"  // resumed here by another thread's switch
        ".if %c[per_thread]\n\t"
        "ldmxcsr %c[fp_controls]+%c[mxcsr](%[resume])\n\t"
        "fnstcw %c[fp_controls]+%c[scratch](%[resume])\n\t"
        "movzwl %c[fp_controls]+%c[scratch](%[resume]), %%eax\n\t"
        "cmpw %c[fp_controls]+%c[fcw](%[resume]), %%ax\n\t"
        "je 2f\n\t"
        "fldcw %c[fp_controls]+%c[fcw](%[resume])\n"
        "2:\n\t"
        ".endif"
        : [save] "+D"(save), [resume] "+S"(resume)
        : [per_thread] "i"(controls == FpControls::per_thread), [sp] "i"(offsetof(FastSwitchState, sp)),
          [resume_address] "i"(offsetof(FastSwitchState, resume_address)), [rbp] "i"(offsetof(FastSwitchState, rbp)),
          [rbx] "i"(offsetof(FastSwitchState, rbx)), [fp_controls] "i"(offsetof(FastSwitchState, fp_controls)),
          [mxcsr] "i"(offsetof(FpControlsWord, mxcsr)), [fcw] "i"(offsetof(FpControlsWord, fcw)),
          [scratch] "i"(offsetof(FpControlsWord, scratch))
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc", "xmm0", "xmm1",
          "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
          "xmm15"
#if defined(__AVX512F__)
          ,
          "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
          "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"
#endif
        : fence);
    return 0;  // every resume
  fence:       // never reached: the condition of the compiler fence (cte/fast_switch.hpp)
    return 1;
  }

  // The called switch's assembly functions, per FpControls (cte/fast_switch.hpp picks one).
  static constexpr auto call_shared = &cte_x86_64_fast_switch_call;
  static constexpr auto call_per_thread = &cte_x86_64_fast_switch_call_fp;

  static constexpr void (*fresh_thread_trampoline)() = &cte_x86_64_fast_thread_trampoline;
};

// The called switch, with the resume address in RAX: store the caller's registers in the
// state RDI points to (its return address stays on its stack), then continue the thread whose
// state RSI points to, as the inline switch does.
#define CTE_X86_64_FAST_PARK_AND_RESUME      \
  "  mov %%rax, %c[resume_address](%%rdi)\n" \
  "  mov %%rsp, %c[sp](%%rdi)\n"             \
  "  mov %%rbx, %c[rbx](%%rdi)\n"            \
  "  mov %%rbp, %c[rbp](%%rdi)\n"            \
  "  mov %%r12, %c[r12](%%rdi)\n"            \
  "  mov %%r13, %c[r13](%%rdi)\n"            \
  "  mov %%r14, %c[r14](%%rdi)\n"            \
  "  mov %%r15, %c[r15](%%rdi)\n"            \
  "  mov %c[rbp](%%rsi), %%rbp\n"            \
  "  mov %c[rbx](%%rsi), %%rbx\n"            \
  "  mov %c[sp](%%rsi), %%rsp\n"             \
  "  .cfi_undefined %%rip\n"                 \
  "  jmp *%c[resume_address](%%rsi)\n"

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      CTE_ASM_LEAVE_ENCLOSING_FRAME
      // --- Called, FpControls::shared.
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_switch_call)
      "  lea cte_x86_64_fast_resume_call(%%rip), %%rax\n" CTE_X86_64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_x86_64_fast_switch_call)

      // --- Called, FpControls::per_thread: the FP controls go below the return address.
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_switch_call_fp)
      "  sub $8, %%rsp\n"
      "  .cfi_adjust_cfa_offset 8\n"
      "  stmxcsr %c[mxcsr](%%rsp)\n"
      "  fnstcw %c[fcw](%%rsp)\n"
      "  lea cte_x86_64_fast_resume_call_fp(%%rip), %%rax\n" CTE_X86_64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_x86_64_fast_switch_call_fp)

      // --- A thread parked by the called per_thread switch resumes here (RSI = its state,
      // RSP = its FP controls, its return address above them): put them back, then go on as
      // below.
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_resume_call_fp)
      "  .cfi_def_cfa_offset 16\n"
      "  ldmxcsr %c[mxcsr](%%rsp)\n"
      "  fnstcw %c[scratch](%%rsp)\n"
      "  movzwl %c[scratch](%%rsp), %%eax\n"
      "  cmpw %c[fcw](%%rsp), %%ax\n"
      "  je 1f\n"
      "  fldcw %c[fcw](%%rsp)\n"
      "1:\n"
      "  add $8, %%rsp\n"
      "  .cfi_adjust_cfa_offset -8\n"
      "  jmp cte_x86_64_fast_resume_call\n" CTE_ASM_FUNCTION_END(cte_x86_64_fast_resume_call_fp)

      // --- A thread parked by the called switch resumes here (RSI = its state, RSP = its
      // return address): the registers the inline switch leaves to the compiler, then back to
      // the caller with an indirect jmp (no `ret`: see the top of this file).
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_resume_call)
      "  mov %c[r12](%%rsi), %%r12\n"
      "  mov %c[r13](%%rsi), %%r13\n"
      "  mov %c[r14](%%rsi), %%r14\n"
      "  mov %c[r15](%%rsi), %%r15\n"
      "  pop %%rcx\n"
      "  .cfi_adjust_cfa_offset -8\n"
      "  .cfi_register %%rip, %%rcx\n"
      "  jmp *%%rcx\n" CTE_ASM_FUNCTION_END(cte_x86_64_fast_resume_call)

      // --- A switch to a FastContext never prepared lands here with RSP = its null sp and
      // RDI = the switcher's state: report it on the switcher's stack.
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_unprepared)
      "  .cfi_undefined %%rip\n"
      "  mov %c[sp](%%rdi), %%rsp\n"
      "  and $-16, %%rsp\n"
      "  call cte_fast_switch_unprepared\n"
      "  ud2\n" CTE_ASM_FUNCTION_END(cte_x86_64_fast_unprepared)

      // --- The first switch to a fresh thread jumps here with RSP = its FreshThreadStart
      // (RBP = 0 from its state: the end of the frame-pointer chain for debuggers). Fetch
      // entry and arg and call into C++ with RSP 16-byte aligned (the record ends there).
      // The outermost frame of the thread: backtraces end here.
      CTE_ASM_FUNCTION_BEGIN(cte_x86_64_fast_thread_trampoline)
      "  .cfi_undefined %%rip\n"
      "  mov %c[entry](%%rsp), %%rdi\n"
      "  mov %c[arg](%%rsp), %%rsi\n"
      "  lea %c[size](%%rsp), %%rsp\n"
      "  call cte_fast_thread_main\n"
      "  ud2\n" CTE_ASM_FUNCTION_END(cte_x86_64_fast_thread_trampoline) CTE_ASM_REENTER_ENCLOSING_FRAME
      ::[entry] "i"(offsetof(cte::detail::FreshThreadStart, entry)),
      [arg] "i"(offsetof(cte::detail::FreshThreadStart, arg)), [size] "i"(sizeof(cte::detail::FreshThreadStart)),
      [sp] "i"(offsetof(FastSwitchState, sp)), [resume_address] "i"(offsetof(FastSwitchState, resume_address)),
      [rbx] "i"(offsetof(FastSwitchState, rbx)), [rbp] "i"(offsetof(FastSwitchState, rbp)),
      [r12] "i"(offsetof(FastSwitchState, r12)), [r13] "i"(offsetof(FastSwitchState, r13)),
      [r14] "i"(offsetof(FastSwitchState, r14)), [r15] "i"(offsetof(FastSwitchState, r15)),
      [mxcsr] "i"(offsetof(FpControlsWord, mxcsr)), [fcw] "i"(offsetof(FpControlsWord, fcw)),
      [scratch] "i"(offsetof(FpControlsWord, scratch)));
}

#undef CTE_X86_64_FAST_PARK_AND_RESUME

}  // namespace cte::x86_64
