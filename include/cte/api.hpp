#pragma once
// The CTE API (Abstract Machine model): cte_init, yield, kcontext, ienabled, iset.

#include <cstdint>

#include <cte/area.hpp>
#include <cte/detail/gdb_autoload.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/detail/sanitizer.hpp>
#include <cte/detail/valgrind.hpp>
#include <cte/stack_check.hpp>
#include <cte/target_port.hpp>

namespace cte {

// Installs the handler every event goes to. Returns false (and changes nothing) for nullptr.
// May be called again to replace the handler. Hosted, the calling thread becomes the kernel
// thread: hardware exceptions and interrupts of that thread reach the handler from then on.
inline bool cte_init(Handler handler) {
  if (!handler) return false;
  detail::runtime.handler = handler;
  TargetPlatform::on_init();
  return true;
}

// Traps into the handler with EventKind::yield; returns when some handler resumes this thread.
// Calling it before cte_init() is a fatal error (reported, then the program stops).
inline void yield() { TargetPort::yield_trap(); }

// Traps into the handler with EventKind::syscall in the ISA's syscall convention (number in
// Context::syscall_number(), arguments in Context::arg(0..5)); returns what the handler put in
// Context::set_return(). The analogue of a user program's ecall/svc/int 0x80.
inline std::uintptr_t syscall(std::uintptr_t number, std::uintptr_t a0 = 0, std::uintptr_t a1 = 0,
                              std::uintptr_t a2 = 0, std::uintptr_t a3 = 0, std::uintptr_t a4 = 0,
                              std::uintptr_t a5 = 0) {
  return TargetPort::syscall_trap(number, a0, a1, a2, a3, a4, a5);
}

// Smallest stack kcontext() accepts on this target.
inline constexpr std::size_t kcontext_min_stack =
    TargetPlatform::min_kstack_size + TargetPort::kcontext_frame_footprint;

// Why kcontext() would refuse `kstack` (StackError::ok if it would not).
inline StackError kcontext_check(Area kstack) { return check_stack(kstack, kcontext_min_stack); }

// Creates a thread that starts at entry(arg) on kstack; its Context lives at the top of kstack.
// The thread starts with interrupts enabled. If entry returns, the handler receives an
// EventKind::error event for it ("kcontext thread returned from its entry function") and
// must switch elsewhere: resuming that Context is a fatal error.
// Returns nullptr if kcontext_check(kstack) is not StackError::ok.
inline Context *kcontext(Area kstack, void (*entry)(void *), void *arg) {
  if (!entry || kcontext_check(kstack) != StackError::ok) return nullptr;
  detail::sanitizer_forget_stack(kstack.start, area_size(kstack));
  detail::valgrind_register_stack(kstack.start, kstack.end);
  TargetIsa::Frame *frame = TargetPort::build_kcontext_frame(kstack, entry, arg);
  if constexpr (detail::thread_sanitizer_active)
    frame->library.sanitizer_fake_stack = detail::sanitizer_new_trap_thread(entry);
  Context *context = Context::from_frame(frame);
  context->set_interrupts_enabled(true);
  detail::mark_parked(*frame);  // the handler may resume it (detail::leave_for)
  return context;
}

// Interrupt-enable state of the running thread.
// iset(true) delivers an interrupt that arrived while disabled before it returns.
inline bool ienabled() { return TargetPlatform::interrupts_enabled(); }
// Inside the handler interrupts stay disabled: the state a thread resumes with is its
// Context's (Context::set_interrupts_enabled), so iset(true) there is a fatal error.
inline void iset(bool enable) {
  if (enable && detail::runtime.context_in_handler) [[unlikely]]
    detail::fatal(
        "iset(true) inside the handler (set the resumed Context's state with Context::set_interrupts_enabled)");
  TargetPlatform::set_interrupts_enabled(enable);
}
// Raises EventKind::irq_software on the running CPU (riscv64: msip/sip.SSIP; hosted: a pending
// bit of the kernel thread). It is taken like a tick: at once if interrupts are enabled,
// otherwise when they are (iset(true), or the resume of a Context that has them enabled).
// Several raises before it is taken are one interrupt.
inline void raise_software_interrupt() { TargetPlatform::raise_software_interrupt(); }
// True if an interrupt is waiting for interrupts to be enabled.
inline bool interrupt_pending() { return TargetPlatform::interrupt_pending(); }

// Moves the Context's pc past the instruction it points at (e.g. a faulting one), using the
// ISA's instruction length. Returns false, leaving pc alone, if the length cannot be decoded
// or the bytes it may need are not readable (a jump to unmapped memory: the decoder never
// faults inside the handler). Not needed after yield or syscall: their pc is already past the
// trapping instruction.
inline bool skip_instruction(Context *context) {
  if (!TargetPlatform::code_readable(context->pc(), TargetIsa::max_instruction_length)) return false;
  const std::size_t length = TargetIsa::instruction_length(reinterpret_cast<const void *>(context->pc()));
  if (length == 0) return false;
  context->set_pc(context->pc() + length);
  return true;
}

}  // namespace cte
