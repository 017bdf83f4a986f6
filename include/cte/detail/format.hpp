#pragma once
// Allocation-free text building for fatal reports: usable in signal handlers and on bare metal.

#include <cstddef>
#include <cstdint>

namespace cte::detail {

class TextBuffer {
 public:
  TextBuffer &text(const char *s) {
    while (s && *s) put(*s++);
    return *this;
  }
  TextBuffer &hex(std::uint64_t value) {
    text("0x");
    bool started = false;
    for (int shift = 60; shift >= 0; shift -= 4) {
      const unsigned digit = (value >> shift) & 0xf;
      if (digit || started || shift == 0) {
        put("0123456789abcdef"[digit]);
        started = true;
      }
    }
    return *this;
  }
  TextBuffer &dec(std::uint64_t value) {
    char digits[20];
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value);
    while (count) put(digits[--count]);
    return *this;
  }
  const char *data() const { return buffer_; }
  std::size_t size() const { return size_; }

 private:
  void put(char c) {
    if (size_ < sizeof(buffer_)) buffer_[size_++] = c;
  }
  char buffer_[512] = {};
  std::size_t size_ = 0;
};

}  // namespace cte::detail
