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
  // The probe pipe of this process (a forked child makes its own: a shared pipe would mix the
  // two processes' bytes). Used by the kernel thread only.
  static inline int read_fd = -1, write_fd = -1;
  static inline pid_t owner = 0;

  static bool open_for_this_process() {
    const pid_t self = ::getpid();
    if (owner == self) return true;
    if (owner != 0) {
      ::close(read_fd);
      ::close(write_fd);
    }
    int fds[2];
    owner = 0;
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    read_fd = fds[0];
    write_fd = fds[1];
    owner = self;
    return true;
  }

  static void drain(std::size_t size) {
    unsigned char sink[64];
    while (size > 0) {
      const ssize_t got = ::read(read_fd, sink, size < sizeof sink ? size : sizeof sink);
      if (got <= 0) return;
      size -= static_cast<std::size_t>(got);
    }
  }

  // Raw system calls: a sanitizer's write() interceptor must not look at the bytes either.
  static bool readable(std::uintptr_t address, std::size_t size) {
    if (size == 0 || size > 4096 || !open_for_this_process()) return false;
    const long written = ::syscall(SYS_write, write_fd, reinterpret_cast<const void *>(address), size);
    if (written > 0) drain(static_cast<std::size_t>(written));
    return written == static_cast<long>(size);
  }
};

}  // namespace cte::detail::hosted
