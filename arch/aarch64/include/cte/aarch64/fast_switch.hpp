#pragma once
// aarch64 fast cooperative switch: only what AAPCS64 makes callee-saved survives. Two forms
// resume a thread the same way (load sp and x29 from its state, `br` to its resume address),
// so either may resume a thread the other parked (cte/fast_switch.hpp says when to use which):
//
// - Inline (switch_threads): inline assembly that declares every other register clobbered,
//   so the compiler saves the live callee-saved registers itself. x29 cannot be declared
//   clobbered (GCC refuses while it is the frame pointer), so the switch stores and loads it;
//   x30 is clobbered like the rest, and the compiler keeps it where it keeps it around any call.
// - Called (call_shared, call_per_thread): an assembly function the compiler calls like any other, and
//   jumps to (`b`) when the call ends a function. It also stores x19-x28 and the return
//   address (x30); the thread resumes through a stub that loads them and jumps to the return
//   address with `br`: no `ret` crosses the switch, so the return predictor is never asked
//   for the other thread's caller. With -mbranch-protection=bti a return address carries no
//   landing pad, so there the stub uses `ret x17` instead (correct, but predicted from the
//   return stack).
//
// What a parked thread keeps lives in its FastSwitchState, not on its stack: nothing is pushed.
// Protocol between a switch and every resume address: x1 holds the resumed thread's own
// FastSwitchState (the switcher's `to`), so a resumed thread finds its FP controls and
// registers there. Every address a `br` lands on carries a `bti j` landing pad when BTI is on.
//
// x18 is the platform register. On Linux GCC allocates it as an ordinary caller-saved
// temporary, so it must be in the clobber list (a value the compiler parked there would
// otherwise come back holding the other thread's x18). Built with -ffixed-x18 (x18 reserved
// as a per-CPU pointer) the compiler never uses it and the switch leaves it alone, which is
// right for per-CPU data; a per-thread x18 (clang's shadow call stack) is not supported.
//
// FP controls: the caller's choice (cte/fp_controls.hpp). With FpControls::per_thread each
// thread owns its FPCR and FPSR (AAPCS64 makes the FPCR state that belongs to the thread of
// execution, and C gives the floating-point environment, flags included, thread storage
// duration): both are stored when a thread switches away and, when it resumes, written back
// only where they differ from the live values: reads are cheap, an msr to FPCR is not. With
// FpControls::shared (the default) neither is touched. A fresh thread starts with the FPCR
// and FPSR live when it is first switched to.
//
// A FastContext never prepared resumes at cte_aarch64_fast_unprepared (the default resume
// address), which reports it on the switcher's stack (x0 = the switcher's state): no test on
// the switch path. Switching to the running thread's own FastContext returns at once: the
// state is stored, then loaded.

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/detail/asm.hpp>
#include <cte/detail/fresh_thread.hpp>
#include <cte/fp_controls.hpp>

extern "C" {
// The resume address of a FastContext never prepared: a fatal report.
void cte_aarch64_fast_unprepared();
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_aarch64_fast_thread_trampoline();
}

#if defined(__ARM_FEATURE_BTI_DEFAULT)
#define CTE_AARCH64_BTI_J "hint #36\n\t"        // bti j
#define CTE_AARCH64_JUMP_TO_CALLER "ret x17\n"  // a return address has no landing pad
#else
#define CTE_AARCH64_BTI_J ""
#define CTE_AARCH64_JUMP_TO_CALLER "br x17\n"
#endif

namespace cte::aarch64 {

// A parked fast-switch thread, as the switch left it (null sp: not prepared yet).
struct FastSwitchState {
  void *sp = nullptr;
  void (*resume_address)() = &cte_aarch64_fast_unprepared;
  std::uint64_t x29 = 0;   // 0 for a fresh thread: the end of the frame-record chain
  std::uint64_t x30 = 0;   // the called form: its return address
  std::uint64_t fpcr = 0;  // FpControls::per_thread only
  std::uint64_t fpsr = 0;
  std::uint64_t x19_x28[10] = {};  // the called form only
};
static_assert(offsetof(FastSwitchState, resume_address) == offsetof(FastSwitchState, sp) + 8, "an ldp pair");
static_assert(offsetof(FastSwitchState, x30) == offsetof(FastSwitchState, x29) + 8, "an ldp pair");
static_assert(offsetof(FastSwitchState, fpsr) == offsetof(FastSwitchState, fpcr) + 8, "an ldp pair");
static_assert(sizeof(FastSwitchState) == 16 * 8);

}  // namespace cte::aarch64

extern "C" {
// The called switch: parks the caller in `from`, resumes `to`; returns when someone resumes
// `from`. The _fp form also gives the caller its own FPCR and FPSR back when it resumes.
void cte_aarch64_fast_switch_call(cte::aarch64::FastSwitchState *from, cte::aarch64::FastSwitchState *to) noexcept;
void cte_aarch64_fast_switch_call_fp(cte::aarch64::FastSwitchState *from, cte::aarch64::FastSwitchState *to) noexcept;
}

namespace cte::aarch64 {

// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

  template <FpControls controls>
  static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
    register FastSwitchState *save asm("x0") = &from;
    register FastSwitchState *resume asm("x1") = &to;
    asm volatile goto(
        "adr x4, 1f\n\t"
        "mov x5, sp\n\t"
        "stp x5, x4, [%[save], #%c[sp]]\n\t"
        "str x29, [%[save], #%c[x29]]\n\t"
        ".if %c[per_thread]\n\t"  // our FP controls, to put back when we resume
        "mrs x2, fpcr\n\t"
        "mrs x3, fpsr\n\t"
        "stp x2, x3, [%[save], #%c[fpcr]]\n\t"
        ".endif\n\t"
        // Continue the other thread where its state says, with x1 = its state (the protocol).
        "ldp x5, x4, [%[resume], #%c[sp]]\n\t"
        "ldr x29, [%[resume], #%c[x29]]\n\t"
        "mov sp, x5\n\t"
        "br x4\n"
        "1:\n\t" CTE_AARCH64_BTI_J  // resumed here by another thread's switch
        ".if %c[per_thread]\n\t"
        "ldp x2, x3, [%[resume], #%c[fpcr]]\n\t"
        "mrs x4, fpcr\n\t"
        "mrs x5, fpsr\n\t"
        "cmp x2, x4\n\t"
        "b.eq 2f\n\t"
        "msr fpcr, x2\n"
        "2:\n\t"
        "cmp x3, x5\n\t"
        "b.eq 3f\n\t"
        "msr fpsr, x3\n"
        "3:\n\t"
        ".endif"
        : [save] "+r"(save), [resume] "+r"(resume)
        : [sp] "i"(offsetof(FastSwitchState, sp)), [x29] "i"(offsetof(FastSwitchState, x29)),
          [fpcr] "i"(offsetof(FastSwitchState, fpcr)), [per_thread] "i"(controls == FpControls::per_thread)
        : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18",
          "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x30", "v0", "v1", "v2", "v3", "v4",
          "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",
          "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory"
        : fence);
    return 0;  // every resume
  fence:       // never reached: the condition of the compiler fence (cte/fast_switch.hpp)
    return 1;
  }

  // The called switch's assembly functions, per FpControls (cte/fast_switch.hpp picks one).
  static constexpr auto call_shared = &cte_aarch64_fast_switch_call;
  static constexpr auto call_per_thread = &cte_aarch64_fast_switch_call_fp;

  static constexpr void (*fresh_thread_trampoline)() = &cte_aarch64_fast_thread_trampoline;
};

// The called switch, with the resume address in x16: store the caller's registers in the
// state x0 points to, then continue the thread whose state x1 points to, as the inline switch
// does.
#define CTE_AARCH64_FAST_PARK_AND_RESUME \
  "  mov x17, sp\n"                      \
  "  stp x17, x16, [x0, #%c[sp]]\n"      \
  "  stp x29, x30, [x0, #%c[x29]]\n"     \
  "  stp x19, x20, [x0, #%c[x19]]\n"     \
  "  stp x21, x22, [x0, #%c[x19]+16]\n"  \
  "  stp x23, x24, [x0, #%c[x19]+32]\n"  \
  "  stp x25, x26, [x0, #%c[x19]+48]\n"  \
  "  stp x27, x28, [x0, #%c[x19]+64]\n"  \
  "  ldp x17, x16, [x1, #%c[sp]]\n"      \
  "  ldr x29, [x1, #%c[x29]]\n"          \
  "  mov sp, x17\n"                      \
  "  br x16\n"

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- Called, FpControls::shared.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_switch_call)
      "  adrp x16, cte_aarch64_fast_resume_call\n"
      "  add x16, x16, :lo12:cte_aarch64_fast_resume_call\n" CTE_AARCH64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_aarch64_fast_switch_call)

      // --- Called, FpControls::per_thread: our FP controls, to put back when we resume.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_switch_call_fp)
      "  mrs x2, fpcr\n"
      "  mrs x3, fpsr\n"
      "  stp x2, x3, [x0, #%c[fpcr]]\n"
      "  adrp x16, cte_aarch64_fast_resume_call_fp\n"
      "  add x16, x16, :lo12:cte_aarch64_fast_resume_call_fp\n" CTE_AARCH64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_aarch64_fast_switch_call_fp)

      // --- A thread parked by the called per_thread switch resumes here (x1 = its state):
      // FPCR and FPSR back where a thread that ran meanwhile changed them, then on as below.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_resume_call_fp) CTE_AARCH64_BTI_J
      "  ldp x2, x3, [x1, #%c[fpcr]]\n"
      "  mrs x4, fpcr\n"
      "  mrs x5, fpsr\n"
      "  cmp x2, x4\n"
      "  b.eq 1f\n"
      "  msr fpcr, x2\n"
      "1:\n"
      "  cmp x3, x5\n"
      "  b.eq 2f\n"
      "  msr fpsr, x3\n"
      "2:\n"
      "  b cte_aarch64_fast_resume_call\n" CTE_ASM_FUNCTION_END(cte_aarch64_fast_resume_call_fp)

      // --- A thread parked by the called switch resumes here (x1 = its state): the registers
      // the inline switch leaves to the compiler, then back to the caller.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_resume_call) CTE_AARCH64_BTI_J
      "  ldp x19, x20, [x1, #%c[x19]]\n"
      "  ldp x21, x22, [x1, #%c[x19]+16]\n"
      "  ldp x23, x24, [x1, #%c[x19]+32]\n"
      "  ldp x25, x26, [x1, #%c[x19]+48]\n"
      "  ldp x27, x28, [x1, #%c[x19]+64]\n"
      "  ldr x17, [x1, #%c[x30]]\n"
      "  " CTE_AARCH64_JUMP_TO_CALLER CTE_ASM_FUNCTION_END(cte_aarch64_fast_resume_call)

      // --- A switch to a FastContext never prepared lands here with sp = its null sp and
      // x0 = the switcher's state: report it on the switcher's stack.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_unprepared) ".cfi_undefined x30\n" CTE_AARCH64_BTI_J
      "  ldr x16, [x0, #%c[sp]]\n"
      "  and x16, x16, #~15\n"
      "  mov sp, x16\n"
      "  bl cte_fast_switch_unprepared\n"
      "  brk #0\n" CTE_ASM_FUNCTION_END(cte_aarch64_fast_unprepared)

      // --- The first switch to a fresh thread jumps here with SP = its FreshThreadStart and
      // x29 = 0 (the end of the frame-record chain). Fetch entry and arg, and call into C++
      // with SP 16-byte aligned (the record ends at the aligned top of the stack). Nothing
      // called this: x30 undefined makes it the outermost frame of every backtrace.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_thread_trampoline) ".cfi_undefined x30\n" CTE_AARCH64_BTI_J
      "  ldp x0, x1, [sp, #%c[entry]]\n"
      "  add sp, sp, #%c[size]\n"
      "  bl cte_fast_thread_main\n"
      "  brk #0\n"  // cte_fast_thread_main never returns
      CTE_ASM_FUNCTION_END(cte_aarch64_fast_thread_trampoline)::[entry] "i"(offsetof(cte::detail::FreshThreadStart, entry)),
      [size] "i"(sizeof(cte::detail::FreshThreadStart)), [sp] "i"(offsetof(FastSwitchState, sp)),
      [x29] "i"(offsetof(FastSwitchState, x29)), [x30] "i"(offsetof(FastSwitchState, x30)),
      [fpcr] "i"(offsetof(FastSwitchState, fpcr)), [x19] "i"(offsetof(FastSwitchState, x19_x28)));
}

#undef CTE_AARCH64_FAST_PARK_AND_RESUME

}  // namespace cte::aarch64
