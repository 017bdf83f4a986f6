#pragma once
// The hosted signal layer: hardware exceptions and interrupts of the kernel thread become
// Events, through the same dispatcher and with the same Context as on bare metal.
//
// - Exceptions (SIGILL, SIGTRAP, SIGFPE, SIGSEGV, SIGBUS) are taken at once, whatever the
//   interrupt state. Their handlers use SA_NODEFER so that a fault inside the cte handler
//   reaches the dispatcher and is reported as a nested trap instead of killing the process.
// - Interrupts (SIGALRM from the timer, the external line's real-time signal) are taken only
//   when interrupts are enabled and the thread is in the program's own code; otherwise they
//   stay pending (see hosted.hpp). A tick held because the thread is in a shared library is
//   re-checked soon after by a signal of its own (hosted_tick_recheck.hpp).
// - Everything runs on an alternate signal stack, so a thread that overflowed its stack can
//   still be reported. The Context is built on the interrupted stack below its red zone (or,
//   for a stack overflow, in a reserved frame) and the handler's answer is written back into
//   the signal's ucontext: the kernel's sigreturn then resumes it with every register.
// - ISAs whose user mode cannot jump with every register restored (riscv64, aarch64) resume an
//   asynchronous frame outside a signal through a signal to the thread itself (exact_resume).

#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <thread>

#include <cte/detail/runtime.hpp>
#include <cte/platform/hosted.hpp>
#include <cte/platform/hosted_external.hpp>
#include <cte/platform/hosted_read_probe.hpp>
#include <cte/platform/hosted_tick_recheck.hpp>
#include <cte/target.hpp>

namespace cte::detail::hosted {

using Frame = TargetIsa::Frame;

struct TextRange {
  std::uintptr_t start = 0, end = 0;
};

// Where the kernel thread's signal handlers run: its alternate signal stack, [low, high). Only
// the kernel thread runs on it, so a handler that finds itself there knows which thread it
// interrupted without a gettid system call, which costs as much as the rest of a trap's
// handling in a VM (docs/PERFORMANCE.md). (handler_on_kernel_thread has the fallback.)
struct KernelSignalStack {
  static inline std::atomic<std::uintptr_t> low{0}, high{0};

  static void set(const void *start, std::size_t size) {
    const auto at = reinterpret_cast<std::uintptr_t>(start);
    low.store(at, std::memory_order_relaxed);
    high.store(at + size, std::memory_order_relaxed);
  }
  static void clear() { set(nullptr, 0); }
  [[gnu::always_inline]] static bool contains_caller() {
    const auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    return here >= low.load(std::memory_order_relaxed) && here < high.load(std::memory_order_relaxed);
  }
};

// A kernel thread's alternate signal stack, with an inaccessible guard page below it (a handler
// that runs off it dies loudly instead of overwriting whatever is mapped below). Unmapped when
// the thread detaches or exits.
struct AlternateStack {
  static constexpr std::size_t usable_size = 256 * 1024;
  unsigned char *mapping = nullptr;
  std::size_t guard = 0;

  bool map() {
    if (mapping) return true;
    guard = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void *memory = ::mmap(nullptr, guard + usable_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return false;
    if (::mprotect(memory, guard, PROT_NONE) != 0) {
      ::munmap(memory, guard + usable_size);
      return false;
    }
    mapping = static_cast<unsigned char *>(memory);
    return true;
  }
  // Stops using it and gives it back; kept while a handler runs on it (e.g. the handler called
  // exit(), which runs this destructor on the very stack).
  void release() {
    if (!mapping) return;
    stack_t current = {};
    if (::sigaltstack(nullptr, &current) != 0 || (current.ss_flags & SS_ONSTACK)) return;
    stack_t off = {};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
    if (KernelSignalStack::low.load(std::memory_order_relaxed) == reinterpret_cast<std::uintptr_t>(mapping + guard))
      KernelSignalStack::clear();
    ::munmap(mapping, guard + usable_size);
    mapping = nullptr;
  }
  ~AlternateStack() { release(); }
};

struct SignalLayer {
  static inline bool installed = false;
  static inline pid_t kernel_tid = 0;
  static inline thread_local AlternateStack alternate_stack;  // one per kernel thread
  // What the exception signals did before cte installed its handlers: faults of other host
  // threads get it (the kernel thread's are cte's).
  static inline struct sigaction previous_action[NSIG] = {};
  // The tick's period, so that a child forked by the kernel thread keeps its ticks.
  static inline std::uint64_t timer_period_us = 0;
  static inline bool forking_thread_is_kernel = false;
  // Executable segments of the main program: interrupts are taken only there.
  static inline TextRange program_text[8];
  static inline int program_text_count = 0;
  // Where a stack-overflow Context lives: not on the stack that overflowed.
  alignas(16) static inline unsigned char overflow_frame_memory[sizeof(Frame)];
  // Frame handed to exact_resume's signal.
  static inline std::atomic<Frame *> exact_resume_frame{nullptr};
  // How far below a thread's stack a fault still counts as running off it, and how far below
  // the thread's stack pointer its own stack growth reaches (one page).
  static constexpr std::uintptr_t overflow_window = 64 * 1024;
  static constexpr std::uintptr_t stack_growth_reach = 4096;

  static int exact_resume_signal() { return SIGRTMIN + 2; }
};

inline pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// Called by a signal handler: whether it interrupted the kernel thread. A handler on the
// kernel thread's alternate stack did; any other asks the kernel for the thread's id (a
// handler the kernel ran elsewhere, or one a sanitizer's runtime calls later on the thread's
// own stack).
[[gnu::always_inline]] inline bool handler_on_kernel_thread() {
  return KernelSignalStack::contains_caller() || current_tid() == SignalLayer::kernel_tid;
}

inline bool in_program_text(std::uintptr_t pc) {
  for (int i = 0; i < SignalLayer::program_text_count; ++i)
    if (pc >= SignalLayer::program_text[i].start && pc < SignalLayer::program_text[i].end) return true;
  return false;
}

inline void record_program_text() {
  SignalLayer::program_text_count = 0;
  ::dl_iterate_phdr(
      [](dl_phdr_info *info, std::size_t, void *) -> int {
        // The first object is the program itself.
        for (int i = 0; i < info->dlpi_phnum && SignalLayer::program_text_count < 8; ++i) {
          const auto &segment = info->dlpi_phdr[i];
          if (segment.p_type != PT_LOAD || !(segment.p_flags & PF_X)) continue;
          const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
          SignalLayer::program_text[SignalLayer::program_text_count++] = {start, start + segment.p_memsz};
        }
        return 1;
      },
      nullptr);
}

// Whether libc is linked into the program itself (-static): then "inside libc" cannot be told
// from the program's own code, an interrupt could preempt malloc, and the platform refuses to
// deliver interrupts at all (timer::start is false, external raises are not_started). A
// dynamically linked program names its dynamic linker (PT_INTERP); a static one does not.
inline bool libc_linked_into_program() {
  bool interpreter = false;
  ::dl_iterate_phdr(
      [](dl_phdr_info *info, std::size_t, void *found) -> int {
        for (int i = 0; i < info->dlpi_phnum; ++i)
          if (info->dlpi_phdr[i].p_type == PT_INTERP) *static_cast<bool *>(found) = true;
        return 1;  // the first object is the program itself
      },
      &interpreter);
  return !interpreter;
}

inline void pend(InterruptSource source) {
  Hosted::pending_sources.fetch_or(Hosted::pending_bit(source), std::memory_order_relaxed);
}

// Takes the next pending interrupt, if any: the timer first, then the external line (which
// is level-triggered: it stays raised until the kernel takes it), then software interrupts.
inline bool take_pending(InterruptSource &source, std::uint64_t &payload) {
  payload = 0;
  // Every trap that resumes a thread with interrupts enabled asks; almost always nothing is
  // pending, and two loads answer that (the loop below would add to every yield).
  if (!Hosted::interrupt_pending()) return false;
  for (InterruptSource latched : {InterruptSource::timer, InterruptSource::software}) {
    const std::uint32_t bit = Hosted::pending_bit(latched);
    if (Hosted::pending_sources.load(std::memory_order_relaxed) & bit) {
      if (Hosted::pending_sources.fetch_and(~bit, std::memory_order_relaxed) & bit) {
        source = latched;
        return true;
      }
    }
    if (latched == InterruptSource::timer && cte::hosted::external_line().take(payload)) {
      source = InterruptSource::external;
      return true;
    }
  }
  return false;
}

// Delivers every pending interrupt as a trap of the running kernel thread (interrupts are
// enabled and the thread is in its own code: iset(true), a self-raised software interrupt).
inline void deliver_pending() {
  InterruptSource source;
  std::uint64_t payload;
  while (take_pending(source, payload)) TargetHostedSignals::interrupt_trap(source, payload);
}

// Sets `frame` up as the interrupted Context of the next pending interrupt, if any.
inline bool claim_pending(Frame &frame) {
  InterruptSource source;
  std::uint64_t payload;
  if (!take_pending(source, payload)) return false;
  TargetHostedSignals::set_interrupt_cause(frame, source, payload);
  return true;
}

// Makes the signal return in progress resume `frame`: every register from the frame, the
// signal mask of the interrupted code with the interrupt signals unblocked (the enable word
// gates interrupts, never the mask: the same policy on every ISA), and, as the last act, the
// enable word from the frame. Every cte signal handler runs with the interrupt signals
// blocked, so none is taken between that store and the sigreturn: the two are one step, as
// an xRET is on hardware.
inline void resume_through_sigreturn(const Frame &frame, ucontext_t &uc) {
  TargetHostedSignals::load(frame, uc);
  sigdelset(&uc.uc_sigmask, SIGALRM);
  sigdelset(&uc.uc_sigmask, cte::hosted::ExternalLine::signal_number());
  sigdelset(&uc.uc_sigmask, TickRecheck::signal_number());
  sigdelset(&uc.uc_sigmask, SignalLayer::exact_resume_signal());
  std::atomic_signal_fence(std::memory_order_seq_cst);
  Hosted::enable_word().store(Hosted::frame_interrupts_enabled(frame) ? 1 : 0, std::memory_order_relaxed);
}

inline void dispatch_into(Frame *frame, ucontext_t &uc) { resume_through_sigreturn(*dispatch_trap(frame), uc); }

// Debug builds check the rule for leaving a trap: no interrupt is ever taken while the
// dispatcher runs (from trap entry until the resume's last act the enable word is clear).
inline void check_not_in_trap_path() {
  if constexpr (debug_checks)
    if (runtime.dispatching) [[unlikely]]
      fatal("interrupt taken inside the trap path (the enable word was set before the resume)");
}

inline bool tick_pending() {
  return (Hosted::pending_sources.load(std::memory_order_relaxed) & Hosted::pending_bit(InterruptSource::timer)) != 0;
}

inline void on_interrupt_signal(int signo, ucontext_t &uc) {
  const bool recheck = signo == TickRecheck::signal_number();
  if (!handler_on_kernel_thread()) {
    // A process-directed signal (the timer's SIGALRM) landed on another thread: pass it on.
    if (SignalLayer::kernel_tid && !recheck) ::syscall(SYS_tgkill, ::getpid(), SignalLayer::kernel_tid, signo);
    return;
  }
  // The timer latches a pending bit; the external line needs nothing: it stays raised. A
  // re-check whose tick was taken meanwhile has nothing to do.
  if (signo == SIGALRM) pend(InterruptSource::timer);
  if (recheck && !tick_pending()) return;
  if (Hosted::enable_word().load(std::memory_order_relaxed) == 0) return;  // delivered at iset(true)
  // A signal that interrupted one of cte's own handlers (they run on the alternate stack) is
  // never taken there. Their sa_mask normally keeps interrupt signals out, but qemu-riscv64
  // (docs/HOSTED.md) ignores sa_mask on delivery and can deliver a pending SIGALRM at the first
  // instruction of another handler, or between a resume's enable-word store and sigreturn.
  if (uc.uc_stack.ss_flags & SS_ONSTACK) return;
  if (!in_program_text(TargetHostedSignals::pc(uc))) {
    // Inside a shared library: a held tick is re-checked soon, not a period later.
    if (tick_pending()) TickRecheck::arm();
    return;
  }
  check_not_in_trap_path();
  Frame *frame = TargetIsa::frame_below(TargetHostedSignals::sp(uc));
  TargetHostedSignals::save(uc, *frame);
  if (!claim_pending(*frame)) return;
  dispatch_into(frame, uc);
}

inline bool is_stack_overflow(int signo, const siginfo_t &info, const ucontext_t &uc) {
  if (signo != SIGSEGV || runtime.current_stack_start == 0) return false;
  const auto address = reinterpret_cast<std::uintptr_t>(info.si_addr);
  const std::uintptr_t bottom = runtime.current_stack_start;
  const std::uintptr_t sp = TargetHostedSignals::sp(uc);
  if (sp < bottom) return true;  // the stack pointer itself has left the stack
  // An access just below the stack counts only if it is the thread's own stack growth: close
  // below its stack pointer (a frame being built, a probe of stack-clash protection). A wild
  // pointer into the same memory while the stack pointer is higher up is a page fault.
  return address < bottom && bottom - address <= SignalLayer::overflow_window && address < sp &&
         sp - address <= SignalLayer::stack_growth_reach;
}

// A fault of a thread other than the kernel thread is none of cte's business: it gets what it
// would have got without cte (the handler installed before, or the default action).
inline void forward_to_previous_action(int signo, siginfo_t &info, ucontext_t &uc) {
  const struct sigaction &previous = SignalLayer::previous_action[signo];
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
    previous.sa_sigaction(signo, &info, &uc);
    return;
  }
  if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signo);
    return;
  }
  // The default action (an ignored hardware fault also gets it, as the kernel does): restore
  // it; the faulting instruction runs again on return, and a signal sent by software is sent
  // again, so the thread now meets the default action.
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  ::sigaction(signo, &fallback, nullptr);
  if (info.si_code <= 0) ::syscall(SYS_tgkill, ::getpid(), current_tid(), signo);
}

inline void on_exception_signal(int signo, siginfo_t &info, ucontext_t &uc) {
  if (resume_faulted_touch<TargetHostedSignals>(signo, uc)) return;  // the probe's own fault
  if (!handler_on_kernel_thread()) {
    forward_to_previous_action(signo, info, uc);
    return;
  }
  const bool overflow = is_stack_overflow(signo, info, uc);
  Frame *frame = overflow ? reinterpret_cast<Frame *>(SignalLayer::overflow_frame_memory)
                          : TargetIsa::frame_below(TargetHostedSignals::sp(uc));
  TargetHostedSignals::save(uc, *frame);
  TargetHostedSignals::set_exception_cause(*frame, signo, info);
  if (overflow) frame->library.state |= frame_state::stack_overflow;
  dispatch_into(frame, uc);
}

// The second half of exact_resume: the frame becomes the thread's state at sigreturn. An
// interrupt held pending while the trap path ran is taken right there if the frame runs with
// interrupts enabled, as hardware takes it at the first instruction after the xRET.
inline void on_exact_resume_signal(ucontext_t &uc) {
  Frame *frame = SignalLayer::exact_resume_frame.exchange(nullptr, std::memory_order_acq_rel);
  if (!frame) return;  // not sent by exact_resume: ignored
  const bool enabled = Hosted::frame_interrupts_enabled(*frame);
  Hosted::enable_word().store(enabled ? 1 : 0, std::memory_order_relaxed);  // what trap entry records
  if (enabled && claim_pending(*frame))
    dispatch_into(frame, uc);
  else
    resume_through_sigreturn(*frame, uc);
}

inline void on_signal(int signo, siginfo_t *info, void *context) {
  TargetHostedSignals::enter_handler();
  const int saved_errno = errno;
  ucontext_t &uc = *static_cast<ucontext_t *>(context);
  if (signo == SIGALRM || signo == cte::hosted::ExternalLine::signal_number() || signo == TickRecheck::signal_number())
    on_interrupt_signal(signo, uc);
  else if (signo == SignalLayer::exact_resume_signal())
    on_exact_resume_signal(uc);
  else
    on_exception_signal(signo, *info, uc);
  errno = saved_errno;
}

inline void install(int signo, bool nodefer) {
  struct sigaction previous = {};
  ::sigaction(signo, nullptr, &previous);
  if (!((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction == on_signal))
    SignalLayer::previous_action[signo] = previous;
  struct sigaction action = {};
  action.sa_sigaction = on_signal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | (nodefer ? SA_NODEFER : 0);
  sigemptyset(&action.sa_mask);
  // Interrupts never nest inside a handler or an exception: they wait (pending) instead.
  sigaddset(&action.sa_mask, SIGALRM);
  sigaddset(&action.sa_mask, cte::hosted::ExternalLine::signal_number());
  sigaddset(&action.sa_mask, TickRecheck::signal_number());
  if (::sigaction(signo, &action, nullptr) != 0) fatal("sigaction failed while installing the hosted trap layer");
}

// Whether the kernel thread `tid` of this process still exists.
inline bool thread_alive(pid_t tid) { return tid != 0 && ::syscall(SYS_tgkill, ::getpid(), tid, 0) == 0; }

// fork() from the kernel thread: the child's only thread is the kernel thread, with its own id,
// and the timer (not inherited by a child) is started again with the same period. A child
// forked by another thread has no kernel thread.
inline void before_fork() { SignalLayer::forking_thread_is_kernel = current_tid() == SignalLayer::kernel_tid; }
inline void in_child_after_fork() {
  if (!SignalLayer::forking_thread_is_kernel) {
    SignalLayer::kernel_tid = 0;
    KernelSignalStack::clear();
    return;
  }
  SignalLayer::kernel_tid = current_tid();
  if (SignalLayer::timer_period_us) Hosted::timer_start(SignalLayer::timer_period_us);
}

inline void install_alternate_stack() {
  // cte_init called from a handler that runs on the alternate stack (a signal-delivered event):
  // the stack in use is this thread's, installed already, and cannot be changed while in use.
  stack_t current = {};
  if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_ONSTACK)) {
    KernelSignalStack::set(current.ss_sp, current.ss_size);
    return;
  }
  if (!SignalLayer::alternate_stack.map()) fatal("cannot map the alternate signal stack");
  stack_t alternate = {};
  alternate.ss_sp = SignalLayer::alternate_stack.mapping + SignalLayer::alternate_stack.guard;
  alternate.ss_size = AlternateStack::usable_size;
  if (::sigaltstack(&alternate, nullptr) != 0) fatal("sigaltstack failed while installing the hosted trap layer");
  KernelSignalStack::set(alternate.ss_sp, alternate.ss_size);
}

inline void install_signal_layer() {
  const pid_t tid = current_tid();
  if (SignalLayer::kernel_tid != tid && thread_alive(SignalLayer::kernel_tid))
    fatal(
        "cte_init on a second host thread while another is the kernel thread (one kernel thread per process; "
        "the other must call cte::hosted::detach_kernel_thread() first)");
  SignalLayer::kernel_tid = tid;
  install_alternate_stack();
  if (!SignalLayer::installed) {
    record_program_text();
    ::pthread_atfork(before_fork, nullptr, in_child_after_fork);
  }
  // Installed on every cte_init: other code (a test framework, a crash reporter) may have
  // replaced the handlers since.
  for (int signo : {SIGILL, SIGTRAP, SIGFPE, SIGSEGV, SIGBUS}) install(signo, true);
  install(SIGALRM, false);
  install(cte::hosted::ExternalLine::signal_number(), false);
  install(TickRecheck::signal_number(), false);
  install(SignalLayer::exact_resume_signal(), false);
  SignalLayer::installed = true;
  if (!libc_linked_into_program()) cte::hosted::external_line().attach();
}

}  // namespace cte::detail::hosted

namespace cte {

inline void Hosted::on_init() { detail::hosted::install_signal_layer(); }

inline void Hosted::set_interrupts_enabled(bool enable) {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  enable_word().store(enable ? 1 : 0, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (!enable) return;
  // A signal arriving from here on finds interrupts enabled and delivers by itself; what
  // arrived before is delivered now, as a trap of this thread, before iset returns.
  detail::hosted::deliver_pending();
}

inline void Hosted::raise_software_interrupt() {
  using detail::hosted::SignalLayer;
  detail::hosted::pend(InterruptSource::software);
  if (detail::hosted::current_tid() == SignalLayer::kernel_tid) {
    // The kernel thread raising to itself: taken now if interrupts are enabled, else it stays
    // pending like a tick (a self-sent signal would land in libc and wait for the next one).
    if (interrupts_enabled()) detail::hosted::deliver_pending();
  } else if (SignalLayer::kernel_tid) {
    ::syscall(SYS_tgkill, ::getpid(), SignalLayer::kernel_tid, cte::hosted::ExternalLine::signal_number());
  }
}

inline bool Hosted::loopback_irq_raise() {
  if (cte::hosted::external_line().state() == cte::hosted::LineState::not_started) return false;
  // The raiser waits until the handler has run: a thread of its own, like a device.
  std::thread([] { cte::hosted::external_line().raise(loopback_irq_payload); }).detach();
  return true;
}

inline bool Hosted::code_readable(std::uintptr_t address, std::size_t size) {
  return detail::hosted::readable<TargetHostedSignals>(address, size);
}

template <class Frame>
void Hosted::on_trap_entry(Frame &frame) {
  set_frame_interrupts_enabled(frame, enable_word().load(std::memory_order_relaxed) != 0);
  enable_word().store(0, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  const auto at = reinterpret_cast<std::uintptr_t>(&frame);
  const std::uintptr_t bottom = detail::runtime.current_stack_start;
  if (bottom && at >= bottom && at - bottom < stack_reserve) frame.library.state |= frame_state::stack_overflow;
}

inline bool Hosted::interrupt_pending() {
  return pending_sources.load(std::memory_order_relaxed) != 0 ||
         cte::hosted::external_line().state() == cte::hosted::LineState::raised;
}

template <class Frame>
bool Hosted::take_pending_interrupt(Frame &frame) {
  return detail::hosted::claim_pending(frame);
}

template <class Event>
void Hosted::after_handler(const Event &event) {
  if (event.kind == EventKind::irq_external) cte::hosted::external_line().mark_handled();
}

namespace hosted {
// Ends this thread's role as the kernel thread: raises of the external line now report
// RaiseResult::finished. Call it before a kernel thread exits.
inline void detach_kernel_thread() {
  external_line().detach();
  detail::hosted::SignalLayer::kernel_tid = 0;
  detail::hosted::KernelSignalStack::clear();
  detail::hosted::SignalLayer::alternate_stack.release();
}
}  // namespace hosted

namespace detail::hosted {
// Resumes an asynchronous frame with every register exact, through the kernel's sigreturn.
// Called from a restore stub with interrupts still held (the enable word clear): no interrupt
// can take the frame's slot before the signal does.
[[noreturn]] inline void exact_resume(Frame *frame) {
  SignalLayer::exact_resume_frame.store(frame, std::memory_order_release);
  ::syscall(SYS_tgkill, ::getpid(), current_tid(), SignalLayer::exact_resume_signal());
  fatal("exact resume signal returned (is it blocked?)");
}
}  // namespace detail::hosted

// --- timer
inline bool Hosted::timer_start(std::uint64_t period_us) {
  if (period_us < min_timer_period_us || detail::hosted::libc_linked_into_program()) return false;
  itimerval value = {};
  value.it_interval.tv_sec = static_cast<time_t>(period_us / 1000000);
  value.it_interval.tv_usec = static_cast<suseconds_t>(period_us % 1000000);
  value.it_value = value.it_interval;
  using detail::hosted::SignalLayer;
  const pid_t kernel = SignalLayer::kernel_tid ? SignalLayer::kernel_tid : detail::hosted::current_tid();
  if (!detail::hosted::TickRecheck::aim_at(kernel, period_us)) return false;
  if (::setitimer(ITIMER_REAL, &value, nullptr) != 0) return false;
  SignalLayer::timer_period_us = period_us;
  return true;
}

inline void Hosted::timer_stop() {
  detail::hosted::SignalLayer::timer_period_us = 0;
  detail::hosted::TickRecheck::disarm();
  itimerval value = {};
  ::setitimer(ITIMER_REAL, &value, nullptr);
}

}  // namespace cte

// Called by the restore path of ISAs that cannot resume an asynchronous frame exactly in user
// mode (riscv64, aarch64): the kernel's sigreturn does it instead.
extern "C" [[noreturn, gnu::used]] inline void cte_hosted_resume_asynchronous(cte::TargetIsa::Frame *frame) {
  cte::detail::hosted::exact_resume(frame);
}
