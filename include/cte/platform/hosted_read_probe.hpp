#pragma once
// Whether memory can be read, asked without reading it: the handler's tools (skip_instruction)
// must not fault on a wild pc, because a fault inside the handler is a fatal nested trap.
// The kernel copies the bytes into a pipe: an unreadable byte makes write() fail with EFAULT
// instead of raising a signal. qemu-user checks the guest's page permissions the same way.

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace cte::detail::hosted {

struct ReadProbe {
  // The probe pipe, opened at first use. What it holds is never looked at: a write tells
  // whether the bytes could be read, and the pipe is emptied only when it is full, so a probe
  // costs one system call. A child forked with it keeps sharing it, which is harmless for
  // the same reason.
  static inline int read_fd = -1, write_fd = -1;

  static bool open() {
    if (write_fd >= 0) return true;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    read_fd = fds[0];
    write_fd = fds[1];
    return true;
  }

  static void empty() {
    unsigned char sink[4096];
    while (::read(read_fd, sink, sizeof sink) > 0) {
    }
  }

  // Raw system calls: a sanitizer's write() interceptor must not look at the bytes either.
  // At most PIPE_BUF bytes: such a write is all or nothing (EAGAIN when the pipe is full).
  static bool readable(std::uintptr_t address, std::size_t size) {
    if (size == 0 || size > 4096 || !open()) return false;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const long written = ::syscall(SYS_write, write_fd, reinterpret_cast<const void *>(address), size);
      if (written == static_cast<long>(size)) return true;
      if (written >= 0 || errno != EAGAIN) return false;
      empty();  // full (a forked child writing into it too may refill it: try again)
    }
    return false;
  }
};

}  // namespace cte::detail::hosted
