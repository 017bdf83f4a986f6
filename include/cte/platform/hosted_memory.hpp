#pragma once
// Hosted memory for cte::GuardedStack and cte::ProtectedPage: anonymous mappings, mprotect,
// and a PROT_NONE page as a stack's guard.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>

#include <cte/area.hpp>
#include <cte/platform/hosted.hpp>

namespace cte {

inline std::size_t Hosted::page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

inline Area Hosted::map_pages(std::size_t size) {
  if (size == 0) return {nullptr, nullptr};
  void *memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return {nullptr, nullptr};
  return {memory, static_cast<char *>(memory) + size};
}

inline void Hosted::unmap_pages(Area pages) { ::munmap(pages.start, area_size(pages)); }

inline bool Hosted::set_page_access(Area pages, bool accessible) {
  return ::mprotect(pages.start, area_size(pages), accessible ? PROT_READ | PROT_WRITE : PROT_NONE) == 0;
}

inline std::size_t Hosted::stack_guard_size() { return page_size(); }
inline bool Hosted::guard_stack(Area guard) { return set_page_access(guard, false); }
inline void Hosted::unguard_stack(Area guard) { set_page_access(guard, true); }

}  // namespace cte
