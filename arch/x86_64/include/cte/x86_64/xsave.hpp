#pragma once
// The XSAVE state the OS enabled, from CPUID: how large the area is that an asynchronous frame
// of the hosted port keeps below itself (frame.hpp: ExtendedState, xsave_area_below).

#include <cpuid.h>

#include <atomic>
#include <cstdint>

namespace cte::x86_64 {

// Bytes of a standard-form XSAVE area for the components XCR0 enables
// (CPUID.(EAX=0DH,ECX=0):EBX), or 0 if the OS has not enabled XSAVE (CPUID.1:ECX.OSXSAVE).
inline std::uint32_t query_xsave_area_size() {
  constexpr std::uint32_t osxsave = 1u << 27;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  if (!(ecx & osxsave)) return 0;
  __cpuid_count(0xd, 0, eax, ebx, ecx, edx);
  return ebx;
}

// The same, asked once (CPUID exits to the hypervisor in a VM). Async-signal-safe: a signal
// handler that races the first caller asks CPUID itself and stores the same value.
inline std::uint32_t xsave_area_size() {
  static constexpr std::uint32_t unknown = ~std::uint32_t{0};
  static constinit std::atomic<std::uint32_t> size{unknown};
  std::uint32_t value = size.load(std::memory_order_relaxed);
  if (value == unknown) {
    value = query_xsave_area_size();
    size.store(value, std::memory_order_relaxed);
  }
  return value;
}

}  // namespace cte::x86_64
