#pragma once
// Where the pc board keeps a Context's XSAVE state: the Frame's FxsaveArea is the legacy
// region of an XSAVE area (same layout), and the XSAVE header and the extended components
// (AVX: the upper halves of YMM0-15) follow it directly above the Frame. So a Frame whose
// fpu field is 64-byte aligned (XSAVE's requirement) is the start of a complete standard-
// format XSAVE area of xsave_area_size bytes, and every board frame is placed that way
// (frame_below). The enabled components are XCR0 = x87 | SSE | AVX (where the CPU has AVX;
// boot checks CPUID leaf 0xD's size against xsave_area_size).

#include <cstddef>
#include <cstdint>

#include <cte/x86_64/frame.hpp>

namespace cte::x86_64::pc {

namespace xsave {
inline constexpr std::uint64_t x87 = 1u << 0, sse = 1u << 1, avx = 1u << 2;
inline constexpr std::size_t alignment = 64;
inline constexpr std::size_t legacy_size = sizeof(FxsaveArea);
inline constexpr std::size_t header_size = 64;
inline constexpr std::size_t avx_size = 256;
inline constexpr std::size_t area_size = legacy_size + header_size + avx_size;  // 832 for x87 | SSE | AVX
// The header, right after the legacy region.
struct Header {
  std::uint64_t state_bv;  // XSTATE_BV: components not in their initial state
  std::uint64_t comp_bv;   // XCOMP_BV: 0 (standard form); XRSTOR faults unless bytes 8-23 are 0
  std::uint64_t reserved[6];
};
static_assert(sizeof(Header) == header_size);
}  // namespace xsave

// Bytes of the XSAVE area that lie above the Frame.
inline constexpr std::size_t frame_extension_size = xsave::area_size - xsave::legacy_size;
static_assert(offsetof(Frame, fpu) + sizeof(FxsaveArea) == sizeof(Frame), "the extension follows fpu directly");

inline xsave::Header &xsave_header(Frame &frame) {
  return *reinterpret_cast<xsave::Header *>(reinterpret_cast<unsigned char *>(&frame) + sizeof(Frame));
}

// The board's frame placement (trap entry and kcontext): the highest frame whose XSAVE area
// ends at or below `sp` with its fpu field 64-byte aligned. Frames are 16-byte aligned.
constexpr std::uintptr_t frame_address_below(std::uintptr_t sp) {
  return ((sp - xsave::area_size) & ~std::uintptr_t{xsave::alignment - 1}) - offsetof(Frame, fpu);
}
inline Frame *frame_below(std::uintptr_t sp) { return reinterpret_cast<Frame *>(frame_address_below(sp)); }
static_assert(offsetof(Frame, fpu) % 16 == 0);

// A frame slot outside any stack (the overflow frame): fpu 64-byte aligned, the extension after it.
struct alignas(xsave::alignment) FrameSlot {
  unsigned char before[xsave::alignment - offsetof(Frame, fpu) % xsave::alignment];
  Frame frame;
  unsigned char extension[frame_extension_size];
};
static_assert((offsetof(FrameSlot, frame) + offsetof(Frame, fpu)) % xsave::alignment == 0);

}  // namespace cte::x86_64::pc
