#pragma once
// What a fresh fast-switch thread's trampoline reads at the top of its stack (on the ports
// whose switch keeps nothing else there): the entry function and its argument.

#include <cstdint>

namespace cte::detail {

struct FreshThreadStart {
  std::uint64_t entry;
  std::uint64_t arg;
};
static_assert(sizeof(FreshThreadStart) == 16, "keeps the 16-byte aligned top aligned");

}  // namespace cte::detail
