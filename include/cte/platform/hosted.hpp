#pragma once
// The hosted platform: a cte kernel running as one thread of a Linux process.
// Interrupt enable is a software flag (signals do the rest, see the hosted traps layer).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <cte/context.hpp>

namespace cte {

struct Hosted {
  static constexpr const char *name = "hosted";
  static constexpr bool is_hosted = true;
  // Smallest kcontext stack accepted: the frame plus room for the handler and a signal frame.
  static constexpr std::size_t min_kstack_size = 16 * 1024;

  // Program output (stdout) and fatal reports (stderr). Plain write(2): async-signal-safe and
  // unbuffered, so output and reports interleave in order.
  static void console_write(const char *text, std::size_t size) { write_all(1, text, size); }
  static void report_write(const char *text, std::size_t size) { write_all(2, text, size); }

  [[noreturn]] static void halt(int code) { std::exit(code); }
  [[noreturn]] static void terminate_failure() { std::abort(); }

  // The live interrupt-enable flag of the running thread.
  static inline volatile bool interrupts_enabled_flag = false;
  static bool interrupts_enabled() { return interrupts_enabled_flag; }
  static void set_interrupts_enabled(bool enabled) { interrupts_enabled_flag = enabled; }

  // The handler runs with interrupts disabled; the resumed thread gets its own state back.
  template <class Frame>
  static void on_trap_entry(Frame &frame) {
    set_frame_interrupts_enabled(frame, interrupts_enabled_flag);
    interrupts_enabled_flag = false;
  }
  template <class Frame>
  static void on_trap_exit(const Frame &frame) {
    interrupts_enabled_flag = frame_interrupts_enabled(frame);
  }

  static void write_all(int fd, const char *text, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd, text, size);
      if (written <= 0) return;
      text += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  template <class Frame>
  static bool frame_interrupts_enabled(const Frame &frame) {
    return (frame.library_state & frame_state::interrupts_enabled) != 0;
  }
  template <class Frame>
  static void set_frame_interrupts_enabled(Frame &frame, bool enabled) {
    if (enabled)
      frame.library_state |= frame_state::interrupts_enabled;
    else
      frame.library_state &= ~frame_state::interrupts_enabled;
  }
};

}  // namespace cte
