#pragma once
// x86_64 fast cooperative switch: only what the System V ABI makes callee-saved survives,
// and the compiler saves the live callee-saved registers itself, because the switch is inline
// assembly that declares every other register clobbered. What remains on the suspended stack
// is a 4-word switch record:
//
//   [sp+0]  resume address      [sp+8]  RBP
//   [sp+16] MXCSR | x87 CW<<32  [sp+24] scratch for the control-word check
//
// The FP controls are the caller's choice (cte/fp_controls.hpp). With FpControls::per_thread
// MXCSR and the x87 control word are stored when a thread switches away and put back when it
// resumes. Reading MXCSR (stmxcsr, the only way to read it) is microcoded: about 5 ns of
// throughput on AMD Zen 5 against about 2 ns for the rest of the switch (docs/PERFORMANCE.md),
// so the default, FpControls::shared, leaves both alone and the two slots unused. The resumed
// thread reloads MXCSR unconditionally (ldmxcsr is cheap; comparing would need a second read);
// the x87 control word is cheap to read and costlier to load, so it is compared with the live
// one and loaded only if another thread changed it. The resume address is reached with
// an indirect jmp, not ret, so the return-stack predictor stays in step with the real call stack.

#include <cstddef>
#include <cstdint>

#include <cte/fp_controls.hpp>
#include <cte/x86_64/frame.hpp>

extern "C" {
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_x86_64_fast_thread_trampoline();
// An empty function the compiler cannot see into (defined in assembly below): see fast_switch().
void cte_x86_64_fast_switch_fence() noexcept;
// Provided by the portable layer: runs entry(arg), reports an entry that returns.
[[noreturn]] void cte_fast_thread_main(void (*entry)(void *), void *arg);
}

namespace cte::x86_64 {

struct SwitchRecord {
  std::uint64_t resume_address;
  std::uint64_t rbp;
  std::uint32_t mxcsr;
  std::uint16_t fcw;
  std::uint16_t unused;
  std::uint64_t scratch;
};
static_assert(sizeof(SwitchRecord) == 32 && sizeof(SwitchRecord) % 16 == 0);
// fast_switch pushes the first two words, RBP then the resume address, and skips one word to
// resume.
static_assert(offsetof(SwitchRecord, resume_address) == 0 && offsetof(SwitchRecord, rbp) == sizeof(std::uint64_t) &&
              offsetof(SwitchRecord, mxcsr) == 2 * sizeof(std::uint64_t));

// A fresh thread's stack: the record the first switch pops, then what the trampoline reads.
struct FreshThreadRecord {
  SwitchRecord record;
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadRecord) % 16 == 0);

// Saves the running thread's switch record at *save_sp and resumes the one at resume_sp.
template <FpControls controls>
inline void fast_switch(void **save_sp, void *resume_sp) {
  asm volatile(
      // Skip the caller's red zone (it may keep live data there) and make room for the FP slots.
      "lea -(%c[red_zone] + %c[fp_slots])(%%rsp), %%rsp\n\t"
      ".if %c[per_thread]\n\t"  // this thread's FP controls, to put back when it resumes
      "stmxcsr (%%rsp)\n\t"
      "fnstcw %c[fcw](%%rsp)\n\t"
      ".endif\n\t"
      "push %%rbp\n\t"
      "lea 1f(%%rip), %%rax\n\t"
      "push %%rax\n\t"
      "mov %%rsp, (%[save])\n\t"
      // Read the resume address through the operand register, then move RSP past it: a pop
      // right after RSP was reloaded made Zen 5 stall each switch until the record arrived
      // from memory (a ring of 100,000 threads: 140 ns per switch against 23 ns this way;
      // docs/PERFORMANCE.md).
      "mov (%[resume]), %%rax\n\t"
      "lea %c[word](%[resume]), %%rsp\n\t"
      "jmp *%%rax\n"
      "1:\n\t"  // resumed here by another thread's switch; RSP = our record + 8
      "pop %%rbp\n\t"
      ".if %c[per_thread]\n\t"
      "ldmxcsr (%%rsp)\n\t"
      "fnstcw %c[scratch](%%rsp)\n\t"  // the x87 control word: loaded only if another thread changed it
      "movzwl %c[scratch](%%rsp), %%eax\n\t"
      "cmpw %c[fcw](%%rsp), %%ax\n\t"
      "je 2f\n\t"
      "fldcw %c[fcw](%%rsp)\n"
      "2:\n\t"
      ".endif\n\t"
      "lea (%c[fp_slots] + %c[red_zone])(%%rsp), %%rsp"
      : [save] "+D"(save_sp), [resume] "+S"(resume_sp)
      : [red_zone] "i"(red_zone), [per_thread] "i"(controls == FpControls::per_thread), [word] "i"(sizeof(std::uint64_t)),
        // RSP points at the mxcsr slot when the FP slots are accessed: offsets from there.
        [fp_slots] "i"(sizeof(SwitchRecord) - offsetof(SwitchRecord, mxcsr)),
        [fcw] "i"(offsetof(SwitchRecord, fcw) - offsetof(SwitchRecord, mxcsr)),
        [scratch] "i"(offsetof(SwitchRecord, scratch) - offsetof(SwitchRecord, mxcsr))
      : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc",
        "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15"
#if defined(__AVX512F__)
        ,
        "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
        "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"
#endif
  );
  // The switch runs other threads, which may read and write any variable of the program, but
  // GCC's ipa-reference does not count an asm "memory" clobber as an access to file-static
  // variables whose address is never taken: without a real call here it concludes that such a
  // static cannot change across the switch and caches or deletes accesses. A call to a
  // function it cannot analyse (and which might call back into this translation unit) makes
  // it assume every static may be read and written. Caller-saved registers are clobbered
  // already, so this costs one call and one return.
  cte_x86_64_fast_switch_fence();
}

// Lays out a fresh thread at the top of [stack_start, stack_end) and returns its parked SP.
inline void *prepare_fast_thread(std::uintptr_t stack_end, void (*entry)(void *), void *arg) {
  auto *fresh = reinterpret_cast<FreshThreadRecord *>((stack_end & ~std::uintptr_t{15}) - sizeof(FreshThreadRecord));
  // No FP controls: a new thread starts with those live when it is first switched to.
  fresh->record = SwitchRecord{reinterpret_cast<std::uint64_t>(&cte_x86_64_fast_thread_trampoline), 0, 0, 0, 0, 0};
  fresh->entry = reinterpret_cast<std::uint64_t>(entry);
  fresh->arg = reinterpret_cast<std::uint64_t>(arg);
  return fresh;
}

inline constexpr std::size_t fast_thread_footprint = sizeof(FreshThreadRecord) + 16;

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- The compiler fence of fast_switch(): returns at once.
      ".pushsection .text.cte_x86_64_fast_switch_fence,\"axG\",@progbits,cte_x86_64_fast_switch_fence,comdat\n"
      ".globl cte_x86_64_fast_switch_fence\n.hidden cte_x86_64_fast_switch_fence\n"
      ".type cte_x86_64_fast_switch_fence,@function\n"
      "cte_x86_64_fast_switch_fence:\n"
      "  ret\n"
      ".size cte_x86_64_fast_switch_fence, .-cte_x86_64_fast_switch_fence\n"
      ".popsection\n");
  asm volatile(
      // --- The first switch to a fresh thread pops this address; RSP = record + 8.
      // Fetch entry and arg and call into C++ with RSP 16-byte aligned (the record ends
      // 16-byte aligned).
      ".pushsection .text.cte_x86_64_fast_thread_trampoline,\"axG\",@progbits,"
      "cte_x86_64_fast_thread_trampoline,comdat\n"
      ".globl cte_x86_64_fast_thread_trampoline\n.hidden cte_x86_64_fast_thread_trampoline\n"
      ".type cte_x86_64_fast_thread_trampoline,@function\n"
      "cte_x86_64_fast_thread_trampoline:\n"
      "  mov (%c[entry] - 8)(%%rsp), %%rdi\n"
      "  mov (%c[arg] - 8)(%%rsp), %%rsi\n"
      "  lea (%c[size] - 8)(%%rsp), %%rsp\n"
      "  xor %%ebp, %%ebp\n"  // end of the frame-pointer chain for debuggers
      "  call cte_fast_thread_main\n"
      "  ud2\n"
      ".size cte_x86_64_fast_thread_trampoline, .-cte_x86_64_fast_thread_trampoline\n"
      ".popsection\n" ::[entry] "i"(offsetof(FreshThreadRecord, entry)), [arg] "i"(offsetof(FreshThreadRecord, arg)),
      [size] "i"(sizeof(FreshThreadRecord)));
}

}  // namespace cte::x86_64
