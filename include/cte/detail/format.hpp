#pragma once
// Allocation-free text building for fatal reports: usable in signal handlers and on bare metal.

#include <cstddef>
#include <cstdint>

namespace cte::detail {

// Digits of an unsigned value, each handed to put(char): decimal, or hexadecimal with a "0x"
// prefix and no leading zeros. The one number formatter of cte (putdec, puthex, fatal reports).
template <class Put>
void format_decimal(std::uint64_t value, Put put) {
  char digits[20];  // 2^64 - 1 has 20 decimal digits
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  while (count) put(digits[--count]);
}

template <class Put>
void format_hex(std::uint64_t value, Put put) {
  put('0');
  put('x');
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const unsigned digit = (value >> shift) & 0xf;
    if (digit || started || shift == 0) {
      put("0123456789abcdef"[digit]);
      started = true;
    }
  }
}

class TextBuffer {
 public:
  TextBuffer &text(const char *s) {
    while (s && *s) put(*s++);
    return *this;
  }
  TextBuffer &dec(std::uint64_t value) {
    format_decimal(value, [this](char c) { put(c); });
    return *this;
  }
  TextBuffer &hex(std::uint64_t value) {
    format_hex(value, [this](char c) { put(c); });
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
