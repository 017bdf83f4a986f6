#pragma once
// riscv64 fast cooperative switch: only what the psABI makes callee-saved survives, and the
// compiler saves the live callee-saved registers itself, because the switch is inline assembly
// that declares every other register clobbered (ra, t0-t6, a2-a7, s1-s11, every f register;
// a0/a1 carry the operands). s0 cannot be declared clobbered (it is the frame pointer when one
// is used), so the switch saves it by hand. What remains on the suspended stack is a 4-word
// switch record:
//
//   [sp+0]  resume address      [sp+8]  s0
//   [sp+16] fcsr                [sp+24] unused (keeps sp 16-byte aligned)
//
// FP controls: the caller's choice (cte/fp_controls.hpp). With FpControls::per_thread the
// switching side stores the live fcsr (frm rounding mode + fflags, which the psABI gives thread
// storage duration) in its record, and when the thread resumes it reads the live fcsr again
// and writes its own back only if they differ: CSR accesses are the expensive part of the
// switch (qemu-user ends its translation block at each; hardware may serialise on an fcsr
// write), and a write is rarely needed. With FpControls::shared (the default) fcsr is not
// touched and the slot is unused. A fresh thread starts with the fcsr live when it is first
// switched to.
// The resume address is reached with `jr t2`, not `ret` (nor `jr t0`: x1 and x5 are the link
// registers whose jumps the hardware treats as returns), so the return-address stack
// predictor stays in step with the real call stack.

#include <cstddef>
#include <cstdint>

#include <cte/detail/asm.hpp>
#include <cte/fp_controls.hpp>
#include <cte/riscv64/frame.hpp>

extern "C" {
// First code of a fresh fast-switch thread: takes entry and arg off its stack.
void cte_riscv64_fast_thread_trampoline();
// Provided by the portable layer: runs entry(arg), reports an entry that returns.
[[noreturn]] void cte_fast_thread_main(void (*entry)(void *), void *arg);
}

namespace cte::riscv64 {

struct SwitchRecord {
  std::uint64_t resume_address;
  std::uint64_t s0;
  std::uint64_t fcsr;
  std::uint64_t unused;
};
static_assert(sizeof(SwitchRecord) == 32 && sizeof(SwitchRecord) % 16 == 0);

// A fresh thread's stack: the record the first switch resumes, then what the trampoline reads.
struct FreshThreadRecord {
  SwitchRecord record;
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadRecord) % 16 == 0);

// A parked fast-switch thread: where its switch record is (null: not prepared yet).
struct FastSwitchState {
  void *sp = nullptr;
};

// Saves the running thread's switch record on its stack, parks it in `from` and resumes `to`.
// The fast switch as the portable layer (cte/fast_switch.hpp) uses it: TargetPort::FastSwitch.
struct FastSwitch {
  using State = FastSwitchState;

template <FpControls controls>
static std::uint64_t switch_threads(FastSwitchState &from, FastSwitchState &to) {
  void **const save_sp = &from.sp;
  void *const resume_sp = to.sp;
  // Every other GPR is clobbered, so the two operands get fixed argument registers.
  register void **save asm("a0") = save_sp;
  register void *resume asm("a1") = resume_sp;
  register std::uint64_t fence_needed asm("t0");  // 0 on every resume: see the end of this function
  asm volatile(
      "addi sp, sp, -%[record_size]\n\t"  // push our switch record
      "lla t2, 1f\n\t"
      "sd t2, %[resume_address](sp)\n\t"
      "sd s0, %[s0](sp)\n\t"
      ".if %[per_thread]\n\t"  // our fcsr, to put back when we resume
      "frcsr t1\n\t"
      "sd t1, %[fcsr](sp)\n\t"
      ".endif\n\t"
      "sd sp, 0(%[save])\n\t"  // park this thread
      "mv sp, %[resume]\n\t"   // and continue the other one where its record says
      "ld t2, %[resume_address](sp)\n\t"
      "jr t2\n"
      "1:\n\t"  // resumed here by another thread's switch: sp = our record
      "ld s0, %[s0](sp)\n\t"
      ".if %[per_thread]\n\t"
      "ld t0, %[fcsr](sp)\n\t"
      "frcsr t1\n\t"
      "beq t0, t1, 2f\n\t"  // write fcsr only if a thread that ran meanwhile changed it
      "fscsr t0\n"
      "2:\n\t"
      ".endif\n\t"
      "addi sp, sp, %[record_size]\n\t"
      "li %[fence_needed], 0"
      : [save] "+r"(save), [resume] "+r"(resume), [fence_needed] "=r"(fence_needed)
      : [record_size] "i"(sizeof(SwitchRecord)), [resume_address] "i"(offsetof(SwitchRecord, resume_address)),
        [s0] "i"(offsetof(SwitchRecord, s0)), [fcsr] "i"(offsetof(SwitchRecord, fcsr)),
        [per_thread] "i"(controls == FpControls::per_thread)
      : "ra", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6", "a7", "s1", "s2", "s3", "s4",
        "s5", "s6", "s7", "s8", "s9", "s10", "s11", "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0",
        "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
        "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11", "memory");
  // 0 on every resume: the condition of the compiler fence that follows every switch
  // (cte/fast_switch.hpp).
  return fence_needed;
}

// Lays out a fresh thread at the top of [stack_start, stack_end) and parks it in `state`.
static void prepare(FastSwitchState &state, std::uintptr_t stack_end, void (*entry)(void *), void *arg) {
  auto *fresh = reinterpret_cast<FreshThreadRecord *>((stack_end & ~std::uintptr_t{15}) - sizeof(FreshThreadRecord));
  // No fcsr: a new thread starts with the one live when it is first switched to.
  fresh->record = SwitchRecord{reinterpret_cast<std::uint64_t>(&cte_riscv64_fast_thread_trampoline), 0, 0, 0};
  fresh->entry = reinterpret_cast<std::uint64_t>(entry);
  fresh->arg = reinterpret_cast<std::uint64_t>(arg);
  state.sp = fresh;
}

static constexpr std::size_t fresh_thread_footprint = sizeof(FreshThreadRecord) + 16;

};

[[gnu::used]] inline void emit_fast_switch_stubs() {
  asm volatile(
      // --- The first switch to a fresh thread jumps here with sp = its FreshThreadRecord.
      // Fetch entry and arg, drop the record (sp = stack top, 16-byte aligned) and call into
      // C++ with s0 = 0, the end of the frame-pointer chain. The outermost frame of a fast
      // thread: its return address is undefined, so a backtrace ends here.
      CTE_ASM_FUNCTION_BEGIN(cte_riscv64_fast_thread_trampoline)
      "  .cfi_undefined ra\n"
      "  ld a0, %[entry](sp)\n"
      "  ld a1, %[arg](sp)\n"
      "  addi sp, sp, %[size]\n"
      "  mv s0, zero\n"
      "  call cte_fast_thread_main\n"
      "  unimp\n"
      CTE_ASM_FUNCTION_END(cte_riscv64_fast_thread_trampoline) ::[entry] "i"(offsetof(FreshThreadRecord, entry)), [arg] "i"(offsetof(FreshThreadRecord, arg)),
      [size] "i"(sizeof(FreshThreadRecord)));
}

}  // namespace cte::riscv64
