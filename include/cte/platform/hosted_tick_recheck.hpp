#pragma once
// The hosted tick's re-check: a tick that finds the kernel thread inside a shared library
// (libc, the sanitizer runtime) is not taken there (an interrupt could switch threads while
// libc holds a lock), and the next tick is a whole period away, when the thread may well be
// inside the library again: a thread that spends most of its time in library calls would
// almost never be preempted. So while a tick is held for that reason a one-shot POSIX timer
// sends the kernel thread a re-check signal every recheck_interval_us(period); each re-check
// takes the tick if the thread is in the program's own code, else arms the next one. The
// timer runs only while such a tick is held; one that fires after the tick was taken some
// other way (iset(true), a trap's resume, the next tick) does nothing.

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>

namespace cte::detail::hosted {

struct TickRecheck {
  // Re-checks per tick period at most: each is a signal round trip (docs/HOSTED.md).
  static constexpr std::uint64_t per_period = 32;
  static constexpr std::uint64_t min_interval_us = 20;

  static int signal_number() { return SIGRTMIN + 3; }

  static std::uint64_t recheck_interval_us(std::uint64_t period_us) {
    const std::uint64_t interval = period_us / per_period;
    return interval < min_interval_us ? min_interval_us : interval;
  }

  // Creates this process's timer, aimed at the kernel thread `tid` (a child forked by the
  // kernel thread calls it again: timers are not inherited). False if the host refuses.
  static bool aim_at(pid_t tid, std::uint64_t period_us) {
    disarm();
    if (created) ::timer_delete(timer);
    created = false;
    sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal_number();
    event._sigev_un._tid = tid;
    if (::timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) return false;
    created = true;
    interval_us = recheck_interval_us(period_us);
    return true;
  }

  // One re-check, interval_us from now (a system call: only while a tick is held in a library).
  static void arm() {
    if (!created) return;
    itimerspec value = {};
    value.it_value.tv_sec = static_cast<time_t>(interval_us / 1000000);
    value.it_value.tv_nsec = static_cast<long>(interval_us % 1000000 * 1000);
    ::timer_settime(timer, 0, &value, nullptr);
  }

  static void disarm() {
    if (!created) return;
    itimerspec value = {};
    ::timer_settime(timer, 0, &value, nullptr);
  }

  static inline timer_t timer{};
  static inline bool created = false;
  static inline std::uint64_t interval_us = 0;
};

}  // namespace cte::detail::hosted
