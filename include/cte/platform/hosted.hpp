#pragma once
// The hosted platform: a cte kernel running on one thread of a Linux process.
//
// Interrupt enable is a software word (cte_hosted_interrupts_enabled): iset() and ienabled()
// never make a system call. Interrupts (timer, external kicks) arrive as signals; one that
// finds interrupts disabled, or finds the thread inside a shared library (libc, the sanitizer
// runtime), stays pending (the timer latches a bit, the external line stays raised) and is
// delivered as soon as that is no longer so: at iset(true), when a trap resumes a Context with
// interrupts enabled, or at the next signal (the external line's raiser re-sends its signal
// every millisecond; a tick held inside a shared library is re-checked 32 times a period:
// hosted_tick_recheck.hpp).
//
// The one rule for leaving a trap, as mret/sret/eret/iretq do on hardware: trap entry clears
// the word, the dispatcher never sets it, and the resume sets it from the resumed frame as its
// last act: the port's restore stub right before its final jump, once every register and the
// stack pointer are the resumed thread's, or the signal layer right before sigreturn (interrupt
// signals are blocked while any cte signal handler runs). The signal layer is in
// hosted_traps.hpp.

#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/detail/sanitizer.hpp>
#include <cte/interrupt_source.hpp>

// The hosted interrupt-enable word: 1 while the kernel thread takes interrupts. C linkage, so
// the ports' restore stubs store into it by name as their last act before the final jump.
extern "C" {
[[gnu::visibility("hidden")]] alignas(8) inline std::uint64_t cte_hosted_interrupts_enabled = 0;
}

namespace cte {

struct Hosted {
  static constexpr const char *name = "hosted";
  // Smallest kcontext stack accepted (plus the port's kcontext_frame_footprint): room for the
  // thread's own frames, the handler's frames of a voluntary trap, an interrupt's Context below
  // the red zone and the dynamic linker's lazy-binding resolver; small enough that the 8 KiB
  // stacks of Abstract Machine kernels are accepted (measurements: docs/AM.md).
  static constexpr std::size_t min_kstack_size = 6 * 1024;

  // Program output (stdout) and fatal reports (stderr). Plain write(2): async-signal-safe and
  // unbuffered, so output and reports interleave in order.
  static void console_write(const char *text, std::size_t size) { write_all(1, text, size); }
  static void report_write(const char *text, std::size_t size) { write_all(2, text, size); }

  [[noreturn]] static void halt(int code) { std::exit(code); }
  [[noreturn]] static void terminate_failure() { std::abort(); }

  // --- interrupt state (defined in hosted_traps.hpp)
  static bool interrupts_enabled() { return enable_word().load(std::memory_order_relaxed) != 0; }
  static void set_interrupts_enabled(bool enable);
  static bool interrupt_pending();
  // Installs the signal layer for the calling thread, which becomes the kernel thread.
  static void on_init();
  // Hands the next pending interrupt to a Context about to resume with interrupts enabled:
  // writes its cause into the frame and returns true.
  template <class Frame>
  static bool take_pending_interrupt(Frame &frame);
  template <class Event>
  static void after_handler(const Event &event);

  // The tick: ITIMER_REAL, so it counts wall-clock time (a kernel blocked in a system call
  // still gets its ticks, delivered when it returns to its own code). Shorter periods than
  // min_timer_period_us are refused: a signal round trip takes about as long (docs/HOSTED.md),
  // so the kernel thread would do nothing but take ticks.
  // --- memory (hosted_memory.hpp): mmap'd pages, mprotect, a PROT_NONE page below a stack
  static std::size_t page_size();
  static Area map_pages(std::size_t size);
  static void unmap_pages(Area pages);
  static bool set_page_access(Area pages, bool accessible);
  static std::size_t stack_guard_size();
  static constexpr bool stack_guard_in_area = false;
  static bool guard_stack(Area guard);
  static void unguard_stack(Area guard);

  // --- interrupts the kernel raises itself (hosted_traps.hpp, hosted_external.hpp)
  static void raise_software_interrupt();
  static std::uintptr_t loopback_irq_source() { return loopback_irq_payload; }
  static bool loopback_irq_raise();
  static void loopback_irq_acknowledge() {}  // the line is lowered when the handler returns
  // The external line's payload when the loopback raises it (any value names it: this one
  // matches the riscv64 virt board's UART source).
  static constexpr std::uintptr_t loopback_irq_payload = 10;

  static constexpr std::uint64_t min_timer_period_us = 20;
  static bool timer_start(std::uint64_t period_us);
  static void timer_stop();

  // Whether [address, address + size) can be read, at most a page (hosted_read_probe.hpp:
  // a fault there is survived; defined in hosted_traps.hpp).
  static bool code_readable(std::uintptr_t address, std::size_t size);

  // The handler runs with interrupts disabled; the frame records the state the thread had.
  // (Re-enabling is the resume's last act: see the top of this file.)
  // A trap whose frame lies in the lowest stack_reserve bytes of the running kcontext
  // thread's stack is that thread's stack overflow (as on the boards): a voluntary trap's
  // handler runs on the thread's stack, below its frame, and must not meet the guard page
  // there (that would be a fault inside the handler, not the thread's overflow).
  // (Sanitizer builds give the handler more: instrumented frames are larger.)
  static constexpr std::size_t stack_reserve = detail::sanitizer_tracks_stacks ? 5 * 1024 : 3 * 1024;
  static_assert(stack_reserve < min_kstack_size);
  template <class Frame>
  static void on_trap_entry(Frame &frame);  // hosted_traps.hpp
  // Before a frame is resumed: nothing hosted (the resume itself restores the enable word).
  template <class Frame>
  static void before_resume(const Frame &) {}

  template <class Frame>
  static bool frame_interrupts_enabled(const Frame &frame) {
    return (frame.library.state & frame_state::interrupts_enabled) != 0;
  }
  template <class Frame>
  static void set_frame_interrupts_enabled(Frame &frame, bool enabled) {
    if (enabled)
      frame.library.state |= frame_state::interrupts_enabled;
    else
      frame.library.state &= ~frame_state::interrupts_enabled;
  }

  static void write_all(int fd, const char *text, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd, text, size);
      if (written <= 0) return;
      text += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  static constexpr std::uint32_t pending_bit(InterruptSource source) { return 1u << static_cast<unsigned>(source); }

  // The interrupt-enable word (1: enabled), as lock-free atomic accesses: signal handlers on the
  // kernel thread write it, and so do the ports' restore stubs (plain 64-bit stores).
  static std::atomic_ref<std::uint64_t> enable_word() {
    return std::atomic_ref<std::uint64_t>(cte_hosted_interrupts_enabled);
  }
  static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);

  // Lock-free atomic written by signal handlers on the kernel thread. A word, not a byte:
  // riscv64 has no byte-sized atomic operations.
  static inline std::atomic<std::uint32_t> pending_sources{0};
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
};

}  // namespace cte
