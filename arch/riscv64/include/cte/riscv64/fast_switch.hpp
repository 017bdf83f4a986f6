#pragma once
// riscv64 fast cooperative switch: only what the psABI makes callee-saved survives. Two forms
// resume a thread the same way (load s0 and sp from its state, jump to its resume address),
// so either may resume a thread the other parked (cte/fast_switch.hpp says when to use which):
//
// - Inline (switch_threads): inline assembly that declares every other register clobbered
//   (ra, t0-t6, a2-a7, s1-s11, every f register; a0/a1 carry the operands), so the compiler
//   saves the live callee-saved registers itself. The switch keeps sp, s0 (which cannot be
//   declared clobbered while it is the frame pointer) and the resume address. Nothing is
//   pushed: sp never moves inside the switch except to become the resumed thread's, so the
//   enclosing function's call-frame information stays true at every other instruction.
// - Called (call_shared, call_per_thread): an assembly function the compiler calls like any other, and
//   jumps to (`tail`) when the call ends a function. It also stores s1-s11 and ra; the thread
//   resumes through a stub that loads them and jumps to ra through t1: no `ret` crosses the
//   switch, so the return-address stack is never asked to predict the other thread's caller.
//
// What a parked thread keeps lives in its FastSwitchState, not on its stack. Protocol between
// a switch and every resume address: a1 holds the resumed thread's own FastSwitchState (the
// switcher's `to`), so a resumed thread finds its fcsr and registers there.
//
// A FastContext never prepared resumes at cte_riscv64_fast_unprepared (the default resume
// address), which reports it on the switcher's stack (a0 = the switcher's state): no test on
// the switch path. Switching to the running thread's own FastContext returns at once: the
// state is stored, then loaded.
//
// FP controls: the caller's choice (cte/fp_controls.hpp). With FpControls::per_thread the
// switching side stores the live fcsr (frm rounding mode + fflags, which the psABI gives thread
// storage duration) in its state, and when the thread resumes it reads the live fcsr again
// and writes its own back only if they differ: CSR accesses are the expensive part of the
// switch (qemu-user ends its translation block at each; hardware may serialise on an fcsr
// write), and a write is rarely needed. With FpControls::shared (the default) fcsr is not
// touched. A fresh thread starts with the fcsr live when it is first switched to.
// The resume address is reached with `jr t2`, not `ret` (nor `jr t0`: x1 and x5 are the link
// registers whose jumps the hardware treats as returns), so the return-address stack
// predictor stays in step with the real call stack.

#include <cstddef>
#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/detail/fresh_thread.hpp>
#include <cte/fp_controls.hpp>
#include <cte/riscv64/frame.hpp>

extern "C" {
// The resume address of a FastContext never prepared: a fatal report.
void cte_riscv64_fast_unprepared();
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_riscv64_fast_thread_trampoline();
}

namespace cte::riscv64 {

// A parked fast-switch thread, as the switch left it (null sp: not prepared yet).
struct FastSwitchState {
  void *sp = nullptr;
  void (*resume_address)() = &cte_riscv64_fast_unprepared;
  std::uint64_t s0 = 0;      // 0 for a fresh thread: the end of the frame-pointer chain
  std::uint64_t fcsr = 0;    // FpControls::per_thread only
  std::uint64_t ra = 0;      // the called form only, as s1-s11
  std::uint64_t s[11] = {};  // s1-s11
};
static_assert(sizeof(FastSwitchState) == 16 * 8);

}  // namespace cte::riscv64

extern "C" {
// The called switch: parks the caller in `from`, resumes `to`; returns when someone resumes
// `from`. The _fp form also gives the caller its own fcsr back when it resumes.
void cte_riscv64_fast_switch_call(cte::riscv64::FastSwitchState *from, cte::riscv64::FastSwitchState *to) noexcept;
void cte_riscv64_fast_switch_call_fp(cte::riscv64::FastSwitchState *from, cte::riscv64::FastSwitchState *to) noexcept;
}

namespace cte::riscv64 {

// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

  template <FpControls controls>
  static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
    // Every other GPR is clobbered, so the two operands get fixed argument registers; a1 = the
    // resumed thread's state is the protocol above.
    register FastSwitchState *save asm("a0") = &from;
    register FastSwitchState *resume asm("a1") = &to;
    asm volatile goto(
        "lla t2, 1f\n\t"
        "sd t2, %[resume_address](%[save])\n\t"
        "sd s0, %[s0](%[save])\n\t"
        "sd sp, %[sp](%[save])\n\t"
        ".if %[per_thread]\n\t"  // our fcsr, to put back when we resume
        "frcsr t1\n\t"
        "sd t1, %[fcsr](%[save])\n\t"
        ".endif\n\t"
        // Continue the other thread where its state says, with a1 = its state (the protocol).
        "ld s0, %[s0](%[resume])\n\t"
        "ld sp, %[sp](%[resume])\n\t"
        "ld t2, %[resume_address](%[resume])\n\t"
        "jr t2\n"
        "1:\n\t"  // resumed here by another thread's switch; a1 = our state
        ".if %[per_thread]\n\t"
        "ld t0, %[fcsr](%[resume])\n\t"
        "frcsr t1\n\t"
        "beq t0, t1, 2f\n\t"  // write fcsr only if a thread that ran meanwhile changed it
        "fscsr t0\n"
        "2:\n\t"
        ".endif"
        : [save] "+r"(save), [resume] "+r"(resume)
        : [sp] "i"(offsetof(FastSwitchState, sp)), [resume_address] "i"(offsetof(FastSwitchState, resume_address)),
          [s0] "i"(offsetof(FastSwitchState, s0)), [fcsr] "i"(offsetof(FastSwitchState, fcsr)),
          [per_thread] "i"(controls == FpControls::per_thread)
        : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6", "a7", "s1", "s2", "s3", "s4",
          "s5", "s6", "s7", "s8", "s9", "s10", "s11", "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0",
          "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
          "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11", "memory"
        : fence);
    return 0;  // every resume
  fence:       // never reached: the condition of the compiler fence (cte/fast_switch.hpp)
    return 1;
  }

  // The called switch's assembly functions, per FpControls (cte/fast_switch.hpp picks one).
  static constexpr auto call_shared = &cte_riscv64_fast_switch_call;
  static constexpr auto call_per_thread = &cte_riscv64_fast_switch_call_fp;

  static constexpr void (*fresh_thread_trampoline)() = &cte_riscv64_fast_thread_trampoline;
};

// The called switch, with the resume address in t2: store the caller's registers in the
// state a0 points to, then continue the thread whose state a1 points to, as the inline
// switch does.
#define CTE_RISCV64_FAST_PARK_AND_RESUME \
  "  sd t2, %[resume_address](a0)\n"     \
  "  sd ra, %[ra](a0)\n"                 \
  "  sd s0, %[s0](a0)\n"                 \
  "  sd sp, %[sp](a0)\n"                 \
  "  sd s1, %[s]+0(a0)\n"                \
  "  sd s2, %[s]+8(a0)\n"                \
  "  sd s3, %[s]+16(a0)\n"               \
  "  sd s4, %[s]+24(a0)\n"               \
  "  sd s5, %[s]+32(a0)\n"               \
  "  sd s6, %[s]+40(a0)\n"               \
  "  sd s7, %[s]+48(a0)\n"               \
  "  sd s8, %[s]+56(a0)\n"               \
  "  sd s9, %[s]+64(a0)\n"               \
  "  sd s10, %[s]+72(a0)\n"              \
  "  sd s11, %[s]+80(a0)\n"              \
  "  ld s0, %[s0](a1)\n"                 \
  "  ld sp, %[sp](a1)\n"                 \
  "  ld t2, %[resume_address](a1)\n"     \
  "  jr t2\n"

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- Called, FpControls::shared.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_switch_call)
      "  lla t2, cte_riscv64_fast_resume_call\n" CTE_RISCV64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_riscv64_fast_switch_call)

      // --- Called, FpControls::per_thread: our fcsr, to put back when we resume.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_switch_call_fp)
      "  frcsr t1\n"
      "  sd t1, %[fcsr](a0)\n"
      "  lla t2, cte_riscv64_fast_resume_call_fp\n" CTE_RISCV64_FAST_PARK_AND_RESUME
      CTE_ASM_FUNCTION_END(cte_riscv64_fast_switch_call_fp)

      // --- A thread parked by the called per_thread switch resumes here (a1 = its state):
      // fcsr back if a thread that ran meanwhile changed it, then on as below.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_resume_call_fp)
      "  ld t0, %[fcsr](a1)\n"
      "  frcsr t1\n"
      "  beq t0, t1, 1f\n"
      "  fscsr t0\n"
      "1:\n"
      "  j cte_riscv64_fast_resume_call\n" CTE_ASM_FUNCTION_END(cte_riscv64_fast_resume_call_fp)

      // --- A thread parked by the called switch resumes here (a1 = its state): the registers
      // the inline switch leaves to the compiler, then back to the caller through t1 (not a
      // link register, so not predicted as a return).
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_resume_call)
      "  ld s1, %[s]+0(a1)\n"
      "  ld s2, %[s]+8(a1)\n"
      "  ld s3, %[s]+16(a1)\n"
      "  ld s4, %[s]+24(a1)\n"
      "  ld s5, %[s]+32(a1)\n"
      "  ld s6, %[s]+40(a1)\n"
      "  ld s7, %[s]+48(a1)\n"
      "  ld s8, %[s]+56(a1)\n"
      "  ld s9, %[s]+64(a1)\n"
      "  ld s10, %[s]+72(a1)\n"
      "  ld s11, %[s]+80(a1)\n"
      "  ld t1, %[ra](a1)\n"
      "  jr t1\n" CTE_ASM_FUNCTION_END(cte_riscv64_fast_resume_call)

      // --- A switch to a FastContext never prepared lands here with sp = its null sp and
      // a0 = the switcher's state: report it on the switcher's stack.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_unprepared)
      "  .cfi_undefined ra\n"
      "  ld sp, %[sp](a0)\n"
      "  andi sp, sp, -16\n"
      "  call cte_fast_switch_unprepared\n"
      "  unimp\n" CTE_ASM_FUNCTION_END(cte_riscv64_fast_unprepared)

      // --- The first switch to a fresh thread jumps here with sp = its FreshThreadStart and
      // s0 = 0 (from its state: the end of the frame-pointer chain). Fetch entry and arg, drop
      // the record (sp = stack top, 16-byte aligned) and call into C++. The outermost frame of
      // a fast thread: its return address is undefined, so a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_thread_trampoline)
      "  .cfi_undefined ra\n"
      "  ld a0, %[entry](sp)\n"
      "  ld a1, %[arg](sp)\n"
      "  addi sp, sp, %[size]\n"
      "  call cte_fast_thread_main\n"
      "  unimp\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_fast_thread_trampoline) ::[entry] "i"(offsetof(cte::detail::FreshThreadStart, entry)), [arg] "i"(offsetof(cte::detail::FreshThreadStart, arg)),
      [size] "i"(sizeof(cte::detail::FreshThreadStart)), [sp] "i"(offsetof(FastSwitchState, sp)),
      [resume_address] "i"(offsetof(FastSwitchState, resume_address)), [s0] "i"(offsetof(FastSwitchState, s0)),
      [fcsr] "i"(offsetof(FastSwitchState, fcsr)), [ra] "i"(offsetof(FastSwitchState, ra)),
      [s] "i"(offsetof(FastSwitchState, s)));
}

#undef CTE_RISCV64_FAST_PARK_AND_RESUME

}  // namespace cte::riscv64
