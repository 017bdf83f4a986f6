#pragma once
// cte::Area — a half-open range of memory [start, end), as in Abstract Machine.

#include <cstddef>
#include <cstdint>

namespace cte {

struct Area {
  void *start;
  void *end;
};

inline std::size_t area_size(Area area) {
  return static_cast<std::size_t>(static_cast<char *>(area.end) - static_cast<char *>(area.start));
}

inline bool area_contains(Area area, const void *address) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  return a >= reinterpret_cast<std::uintptr_t>(area.start) && a < reinterpret_cast<std::uintptr_t>(area.end);
}

}  // namespace cte
