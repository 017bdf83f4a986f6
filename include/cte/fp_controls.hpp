#pragma once
// Who owns the floating-point controls across a fast switch: the rounding mode, exception
// masks and flush-to-zero bits (x86_64 MXCSR and x87 control word, riscv64 fcsr, aarch64
// FPCR/FPSR). A trap frame (yield, kcontext, preemption) always carries them; the fast switch
// lets the caller choose, per call, because on x86_64 reading MXCSR costs more than the rest
// of the switch together (docs/PERFORMANCE.md).

namespace cte {

enum class FpControls {
  // The switch leaves the FP controls alone: fast-switch threads share one FP environment, as
  // they share the interrupt-enable state. A thread that changes the rounding mode must set
  // it back before switching away, or the next thread runs with it. The default.
  shared,
  // The switch saves the running thread's FP controls and the thread gets them back when it
  // resumes, whatever other threads did meanwhile (the System V / psABI callee-saved rule, and
  // what Boost.Context does). Costs one FP-control read per switch.
  per_thread,
};

}  // namespace cte
