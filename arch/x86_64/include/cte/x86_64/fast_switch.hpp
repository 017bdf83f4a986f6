#pragma once
// x86_64 fast cooperative switch: only what the System V ABI makes callee-saved survives,
// and the compiler saves the live callee-saved registers itself, because the switch is inline
// assembly that declares every other register clobbered. What remains on the suspended stack
// is a 4-word switch record:
//
//   [sp+0]  resume address      [sp+8]  RBP
//   [sp+16] MXCSR | x87 CW<<32  [sp+24] scratch for the control-word check
//
// MXCSR and the x87 control word are callee-saved in the ABI, so each thread keeps its own:
// both are stored when a thread switches away and put back when it resumes, each read once
// per switch. Reading MXCSR (stmxcsr, the only cheap way to read it) is the expensive part on
// AMD Zen (about 4 ns; ldmxcsr about 0.3 ns; docs/PERFORMANCE.md), so the resumed thread
// reloads its MXCSR unconditionally instead of reading the live value to compare. The x87
// control word is cheap to read and costlier to load: it is compared with the live one and
// loaded only if another thread changed it. The resume address is reached with pop+jmp, not
// ret, so the return-stack predictor stays in step with the real call stack.

#include <cstdint>

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

// A fresh thread's stack: the record the first switch pops, then what the trampoline reads.
struct FreshThreadRecord {
  SwitchRecord record;
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadRecord) % 16 == 0);

// Saves the running thread's switch record at *save_sp and resumes the one at resume_sp.
inline void fast_switch(void **save_sp, void *resume_sp) {
  asm volatile(
      "lea -%c[red_zone](%%rsp), %%rsp\n\t"  // the caller may keep live data in its red zone
      "sub $16, %%rsp\n\t"
      "stmxcsr (%%rsp)\n\t"
      "fnstcw 4(%%rsp)\n\t"
      "push %%rbp\n\t"
      "lea 1f(%%rip), %%rax\n\t"
      "push %%rax\n\t"
      "mov %%rsp, (%[save])\n\t"
      "mov %[resume], %%rsp\n\t"
      "pop %%rax\n\t"
      "jmp *%%rax\n"
      "1:\n\t"  // resumed here by another thread's switch; RSP = our record + 8
      "pop %%rbp\n\t"
      "ldmxcsr (%%rsp)\n\t"
      "fnstcw 8(%%rsp)\n\t"  // the x87 control word: loaded only if another thread changed it
      "movzwl 8(%%rsp), %%eax\n\t"
      "cmpw 4(%%rsp), %%ax\n\t"
      "je 2f\n\t"
      "fldcw 4(%%rsp)\n"
      "2:\n\t"
      "lea (16 + %c[red_zone])(%%rsp), %%rsp"
      : [save] "+D"(save_sp), [resume] "+S"(resume_sp)
      : [red_zone] "i"(red_zone)
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
  std::uint32_t mxcsr;
  std::uint16_t fcw;
  asm("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fcw));  // a new thread inherits its creator's FP controls
  fresh->record = SwitchRecord{reinterpret_cast<std::uint64_t>(&cte_x86_64_fast_thread_trampoline), 0, mxcsr, fcw, 0, 0};
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
      // Load the creator's FP controls, fetch entry and arg, and call into C++ with
      // RSP 16-byte aligned (the record ends 16-byte aligned).
      ".pushsection .text.cte_x86_64_fast_thread_trampoline,\"axG\",@progbits,"
      "cte_x86_64_fast_thread_trampoline,comdat\n"
      ".globl cte_x86_64_fast_thread_trampoline\n.hidden cte_x86_64_fast_thread_trampoline\n"
      ".type cte_x86_64_fast_thread_trampoline,@function\n"
      "cte_x86_64_fast_thread_trampoline:\n"
      "  ldmxcsr (%c[mxcsr] - 8)(%%rsp)\n"
      "  fldcw (%c[fcw] - 8)(%%rsp)\n"
      "  mov (%c[entry] - 8)(%%rsp), %%rdi\n"
      "  mov (%c[arg] - 8)(%%rsp), %%rsi\n"
      "  lea (%c[size] - 8)(%%rsp), %%rsp\n"
      "  xor %%ebp, %%ebp\n"  // end of the frame-pointer chain for debuggers
      "  call cte_fast_thread_main\n"
      "  ud2\n"
      ".size cte_x86_64_fast_thread_trampoline, .-cte_x86_64_fast_thread_trampoline\n"
      ".popsection\n" ::[mxcsr] "i"(offsetof(FreshThreadRecord, record) + offsetof(SwitchRecord, mxcsr)),
      [fcw] "i"(offsetof(FreshThreadRecord, record) + offsetof(SwitchRecord, fcw)),
      [entry] "i"(offsetof(FreshThreadRecord, entry)), [arg] "i"(offsetof(FreshThreadRecord, arg)),
      [size] "i"(sizeof(FreshThreadRecord)));
}

}  // namespace cte::x86_64
