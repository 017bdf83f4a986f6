#pragma once
// Stacks for test threads: 16-byte aligned, owned by the test.

#include <cte/cte.hpp>

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace cte_test {

class Stack {
 public:
  // aligned_alloc wants a size that is a multiple of the alignment.
  explicit Stack(std::size_t size = 64 * 1024)
      : size_((size + alignment - 1) / alignment * alignment),
        memory_(static_cast<unsigned char *>(std::aligned_alloc(alignment, size_))) {}
  ~Stack() { std::free(memory_); }
  Stack(const Stack &) = delete;
  Stack &operator=(const Stack &) = delete;
  cte::Area area() const { return {memory_, memory_ + size_}; }

 private:
  static constexpr std::size_t alignment = 64;
  std::size_t size_;
  unsigned char *memory_;
};

}  // namespace cte_test
