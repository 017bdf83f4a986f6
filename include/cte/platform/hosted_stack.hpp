#pragma once
// A kcontext stack with a guard page below it: running off its end raises
// EventKind::stack_overflow (naming the thread's Context) instead of corrupting memory.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>

namespace cte::hosted {

class GuardedStack {
 public:
  // `size` is rounded up to whole pages; one inaccessible guard page lies below it.
  explicit GuardedStack(std::size_t size) {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    if (size == 0 || size > SIZE_MAX - 2 * page) return;  // rounding would wrap: not valid()
    size_ = (size + page - 1) / page * page;
    guard_ = page;
    void *memory = ::mmap(nullptr, size_ + guard_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;
    if (::mprotect(memory, guard_, PROT_NONE) != 0) {
      ::munmap(memory, size_ + guard_);
      return;
    }
    mapping_ = static_cast<unsigned char *>(memory);
  }
  ~GuardedStack() {
    if (mapping_) ::munmap(mapping_, size_ + guard_);
  }
  GuardedStack(const GuardedStack &) = delete;
  GuardedStack &operator=(const GuardedStack &) = delete;

  // False if the memory could not be mapped (or `size` was 0 or too large to map); area() is
  // then {nullptr, nullptr}.
  bool valid() const { return mapping_ != nullptr; }
  Area area() const { return valid() ? Area{mapping_ + guard_, mapping_ + guard_ + size_} : Area{nullptr, nullptr}; }
  Area guard() const { return valid() ? Area{mapping_, mapping_ + guard_} : Area{nullptr, nullptr}; }

 private:
  unsigned char *mapping_ = nullptr;
  std::size_t size_ = 0;
  std::size_t guard_ = 0;
};

}  // namespace cte::hosted
