#pragma once
// A board's page pool: a fixed, page-aligned array of pages in .bss from which GuardedStack
// and ProtectedPage take memory (bare-metal code has no heap). First fit over a bitmap; pages
// return to the pool when their owner is destroyed. The pool is aligned to its own size, so
// a board with page tables can cover it with one table of small pages.
// Not reentrant: allocate and release with interrupts disabled or from one thread.

#include <bit>
#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>

namespace cte::detail {

template <std::size_t PageSize, std::size_t PageCount>
class PagePool {
  static_assert(std::has_single_bit(PageSize) && std::has_single_bit(PageCount));
  static_assert(PageCount <= 64, "one 64-bit word of allocation bits");

 public:
  static constexpr std::size_t page_size = PageSize, page_count = PageCount, bytes = PageSize * PageCount;

  static Area allocate(std::size_t size) {
    const std::size_t pages = size / PageSize + (size % PageSize != 0);  // no wrap for huge sizes
    if (size == 0 || pages > PageCount) return {nullptr, nullptr};
    const std::uint64_t run = pages == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << pages) - 1;
    for (std::size_t first = 0; first + pages <= PageCount; ++first) {
      if (used_ & (run << first)) continue;
      used_ |= run << first;
      return {storage_ + first * PageSize, storage_ + (first + pages) * PageSize};
    }
    return {nullptr, nullptr};
  }

  static void release(Area pages) {
    const std::size_t first = static_cast<std::size_t>(static_cast<unsigned char *>(pages.start) - storage_) / PageSize;
    const std::size_t count = area_size(pages) / PageSize;
    const std::uint64_t run = count == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
    used_ &= ~(run << first);
  }

  static bool contains(const void *address) { return area_contains(area(), address); }
  static Area area() { return {storage_, storage_ + bytes}; }

 private:
  alignas(bytes) static inline unsigned char storage_[bytes];
  static inline std::uint64_t used_ = 0;
};

}  // namespace cte::detail
