#pragma once
// cte::GuardedStack — a kcontext stack whose overflow arrives as EventKind::stack_overflow
// (naming the thread's Context) instead of corrupting what lies below it. The same type on
// every platform; the platform supplies the pages and the guard:
//   hosted               an mmap'd mapping with a PROT_NONE page below area()
//   riscv64 virt (M, S)  the lowest bytes of area() are the stack reserve every kcontext stack
//                        has there (PMP-guarded in M-mode, checked at each trap in S-mode)
//   boards with an MMU   an unmapped page below area()
// guard() names the guarded range either way. Boards take pages from a fixed pool
// (docs/BAREMETAL.md): valid() is false when it is exhausted.

#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/target_port.hpp>

namespace cte {

class GuardedStack {
 public:
  // At least `size` bytes the thread can use, rounded up to whole pages.
  explicit GuardedStack(std::size_t size) {
    const std::size_t page = TargetPlatform::page_size();
    const std::size_t guard_bytes = TargetPlatform::stack_guard_size();
    const std::size_t inside = TargetPlatform::stack_guard_in_area ? guard_bytes : 0;
    const std::size_t below = TargetPlatform::stack_guard_in_area ? 0 : round_up(guard_bytes, page);
    if (size == 0 || size > SIZE_MAX / 2 - inside - below - page) return;  // rounding would wrap
    const std::size_t stack_bytes = round_up(size + inside, page);
    const Area block = TargetPlatform::map_pages(below + stack_bytes);
    if (!block.start) return;
    char *const base = static_cast<char *>(block.start);
    const Area guard = TargetPlatform::stack_guard_in_area ? Area{base, base + guard_bytes} : Area{base, base + below};
    if (!TargetPlatform::guard_stack(guard)) {
      TargetPlatform::unmap_pages(block);
      return;
    }
    block_ = block;
    guard_ = guard;
    area_ = {base + below, block.end};
  }
  ~GuardedStack() {
    if (!valid()) return;
    TargetPlatform::unguard_stack(guard_);
    TargetPlatform::unmap_pages(block_);
  }
  GuardedStack(const GuardedStack &) = delete;
  GuardedStack &operator=(const GuardedStack &) = delete;

  // False if no memory was available (or `size` was 0 or too large); area() and guard() are
  // then {nullptr, nullptr}.
  bool valid() const { return block_.start != nullptr; }
  // The stack to hand to kcontext() or make_fast_context().
  Area area() const { return area_; }
  // The range whose access is a stack overflow: below area(), or its lowest bytes (see above).
  Area guard() const { return guard_; }

 private:
  static std::size_t round_up(std::size_t size, std::size_t unit) { return (size + unit - 1) / unit * unit; }

  Area block_{nullptr, nullptr};
  Area guard_{nullptr, nullptr};
  Area area_{nullptr, nullptr};
};

}  // namespace cte
