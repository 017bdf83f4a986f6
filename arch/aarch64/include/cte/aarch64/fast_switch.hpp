#pragma once
// aarch64 fast cooperative switch: only what AAPCS64 makes callee-saved survives, and the
// compiler saves the live callee-saved registers itself, because the switch is inline
// assembly that declares every other register clobbered. What remains on the suspended stack
// is a 4-word switch record:
//
//   [sp+0]  resume address      [sp+8]  x29 (frame pointer)
//   [sp+16] FPCR                [sp+24] FPSR
//
// x29 cannot be declared clobbered (GCC refuses while it is the frame pointer), so it is
// saved and reloaded by hand; x30 is clobbered like the rest, and the compiler keeps it where
// it keeps it around any call.
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
// FpControls::shared (the default) neither is touched and the slots are unused. A fresh
// thread starts with the FPCR and FPSR live when it is first switched to.
//
// The resume address is reached with `br`, not `ret`, so the return-stack predictor stays in
// step with the real call stack. With -mbranch-protection=bti the two places a `br` lands on
// carry a `bti j` landing pad.

#include <cstddef>
#include <cstdint>

#include <cte/aarch64/frame.hpp>
#include <cte/detail/asm.hpp>
#include <cte/fp_controls.hpp>

extern "C" {
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_aarch64_fast_thread_trampoline();
// Provided by the portable layer: runs entry(arg), reports an entry that returns.
[[noreturn]] void cte_fast_thread_main(void (*entry)(void *), void *arg);
}

#if defined(__ARM_FEATURE_BTI_DEFAULT)
#define CTE_AARCH64_BTI_J "hint #36\n\t"  // bti j
#else
#define CTE_AARCH64_BTI_J ""
#endif

namespace cte::aarch64 {

struct SwitchRecord {
  std::uint64_t resume_address;
  std::uint64_t x29;
  std::uint64_t fpcr;
  std::uint64_t fpsr;
};
static_assert(sizeof(SwitchRecord) == 32 && sizeof(SwitchRecord) % 16 == 0);
static_assert(offsetof(SwitchRecord, x29) == offsetof(SwitchRecord, resume_address) + 8, "an ldp pair");
static_assert(offsetof(SwitchRecord, fpsr) == offsetof(SwitchRecord, fpcr) + 8, "an ldp pair");

// A fresh thread's stack: the record the first switch loads, then what the trampoline reads.
struct FreshThreadRecord {
  SwitchRecord record;
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadRecord) % 16 == 0);
static_assert(offsetof(FreshThreadRecord, arg) == offsetof(FreshThreadRecord, entry) + 8, "an ldp pair");

// A parked fast-switch thread: where its switch record is (null: not prepared yet).
struct FastSwitchState {
  void *sp = nullptr;
};

// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

  template <FpControls controls>
  static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
    void **const save_sp = &from.sp;
    void *const resume_sp = to.sp;
    register void **save asm("x0") = save_sp;
    register void *resume asm("x1") = resume_sp;
    register std::uint64_t fence_needed asm("x2");  // 0 on every resume: see the end of this function
    asm volatile(
        // Park: push the record, publish SP, then load the other thread's record and jump.
        "sub sp, sp, #%c[record_size]\n\t"
        ".if %c[per_thread]\n\t"  // our FP controls, to put back when we resume
        "mrs x2, fpcr\n\t"
        "mrs x3, fpsr\n\t"
        "stp x2, x3, [sp, #%c[fpcr]]\n\t"
        ".endif\n\t"
        "adr x4, 1f\n\t"
        "stp x4, x29, [sp, #%c[resume_address]]\n\t"
        "mov x4, sp\n\t"
        "str x4, [%[save]]\n\t"
        "mov sp, %[resume]\n\t"
        "ldp x4, x29, [sp, #%c[resume_address]]\n\t"
        "br x4\n"
        // Resumed here by another thread's switch; SP = our record, x29 already reloaded.
        "1:\n\t" CTE_AARCH64_BTI_J
        ".if %c[per_thread]\n\t"
        "ldp x2, x3, [sp, #%c[fpcr]]\n\t"
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
        ".endif\n\t"
        "add sp, sp, #%c[record_size]\n\t"
        "mov %[fence_needed], #0"
        : [save] "+r"(save), [resume] "+r"(resume), [fence_needed] "=r"(fence_needed)
        : [record_size] "i"(sizeof(SwitchRecord)), [resume_address] "i"(offsetof(SwitchRecord, resume_address)),
          [fpcr] "i"(offsetof(SwitchRecord, fpcr)), [per_thread] "i"(controls == FpControls::per_thread)
        : "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18",
          "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x30", "v0", "v1", "v2", "v3", "v4",
          "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",
          "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory");
    // 0 on every resume: the condition of the compiler fence that follows every switch
    // (cte/fast_switch.hpp).
    return fence_needed;
  }

  // Lays out a fresh thread at the top of [stack_start, stack_end) and parks it in `state`.
  static void prepare(FastSwitchState &state, std::uintptr_t stack_end, void (*entry)(void *), void *arg) {
    auto *fresh = reinterpret_cast<FreshThreadRecord *>((stack_end & ~std::uintptr_t{15}) - sizeof(FreshThreadRecord));
    // No FP controls: a new thread starts with those live when it is first switched to.
    fresh->record = SwitchRecord{reinterpret_cast<std::uint64_t>(&cte_aarch64_fast_thread_trampoline), 0, 0, 0};
    fresh->entry = reinterpret_cast<std::uint64_t>(entry);
    fresh->arg = reinterpret_cast<std::uint64_t>(arg);
    state.sp = fresh;
  }

  static constexpr std::size_t fresh_thread_footprint = sizeof(FreshThreadRecord) + 16;
};

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- The first switch to a fresh thread jumps here with SP = its FreshThreadRecord and
      // x29 = 0 (the end of the frame-record chain). Fetch entry and arg, and call into C++
      // with SP 16-byte aligned (the record ends at the aligned top of the stack). Nothing
      // called this: x30 undefined makes it the outermost frame of every backtrace.
      CTE_ASM_FUNCTION_BEGIN(cte_aarch64_fast_thread_trampoline) ".cfi_undefined x30\n" CTE_AARCH64_BTI_J
                                                                 "ldp x0, x1, [sp, #%c[entry]]\n\t"
                                                                 "add sp, sp, #%c[size]\n\t"
                                                                 "bl cte_fast_thread_main\n\t"
                                                                 "brk #0\n"  // cte_fast_thread_main never returns
      CTE_ASM_FUNCTION_END(cte_aarch64_fast_thread_trampoline)::[entry] "i"(offsetof(FreshThreadRecord, entry)),
      [size] "i"(sizeof(FreshThreadRecord)));
}

}  // namespace cte::aarch64
