#pragma once
// cte::ProtectedPage — one page of memory whose access the kernel switches on and off: the
// portable way to provoke, and then repair, a memory fault (hosted: mprotect; riscv64 virt:
// a PMP entry in M-mode, an Sv39 page table entry in S-mode; MMU boards: their page tables).
// A load or store to it while inaccessible traps with a memory fault whose ref is the
// address: EventKind::page_fault where the platform translates addresses (hosted, MMU
// boards), EventKind::access_fault where it only checks them (riscv64 M-mode PMP).
// is_memory_protection_fault() accepts both (docs/API.md lists the mapping).

#include <cstddef>

#include <cte/area.hpp>
#include <cte/event.hpp>
#include <cte/target_port.hpp>

namespace cte {

class ProtectedPage {
 public:
  // A page, inaccessible. valid() is false if no page (or no protection slot) was available.
  ProtectedPage() {
    const Area page = TargetPlatform::map_pages(TargetPlatform::page_size());
    if (!page.start) return;
    if (!TargetPlatform::set_page_access(page, false)) {
      TargetPlatform::unmap_pages(page);
      return;
    }
    page_ = page;
  }
  ~ProtectedPage() {
    if (!valid()) return;
    TargetPlatform::set_page_access(page_, true);
    TargetPlatform::unmap_pages(page_);
  }
  ProtectedPage(const ProtectedPage &) = delete;
  ProtectedPage &operator=(const ProtectedPage &) = delete;

  bool valid() const { return page_.start != nullptr; }
  Area area() const { return page_; }
  static std::size_t size() { return TargetPlatform::page_size(); }

  // Makes the page readable and writable, or inaccessible again. Takes effect for the next
  // access of any thread (from a handler: for the access the resumed Context retries).
  bool set_accessible(bool accessible) { return valid() && TargetPlatform::set_page_access(page_, accessible); }

 private:
  Area page_{nullptr, nullptr};
};

// True for the kinds a protected-page access raises on some platform (see above).
constexpr bool is_memory_protection_fault(EventKind kind) {
  return kind == EventKind::page_fault || kind == EventKind::access_fault;
}

}  // namespace cte
