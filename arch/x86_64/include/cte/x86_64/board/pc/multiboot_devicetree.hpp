#pragma once
// The Multiboot command line as the device tree portable code reads (cte_board_devicetree,
// /chosen/bootargs: e.g. the AM start's run-time mainargs). Multiboot 1 passes the command
// line as "<kernel file name> <-append text>"; the bootargs are the text after the first
// space. The board builds the smallest flattened device tree that holds them (Devicetree
// Specification v0.4 ch. 5: header, an empty reservation map, / { chosen { bootargs } }, the
// strings block) once, at boot, in its own buffer.

#include <cstddef>
#include <cstdint>

#include <cte/devicetree.hpp>

namespace cte::x86_64::pc {

namespace multiboot_info {
inline constexpr std::uint32_t has_command_line = 1u << 2;  // flags bit 2
inline constexpr std::size_t flags = 0, command_line = 16;  // byte offsets (32-bit fields)
}  // namespace multiboot_info

class CommandLineDevicetree {
 public:
  static constexpr std::size_t max_bootargs = 1024;  // NUL included; longer ones are cut

  // The device tree for the Multiboot information at `info` (0: none, then no device tree).
  static const void *build(std::uintptr_t info) {
    if (!info) return nullptr;
    const std::uint32_t flags = *reinterpret_cast<const std::uint32_t *>(info + multiboot_info::flags);
    if (!(flags & multiboot_info::has_command_line)) return nullptr;
    const char *line = reinterpret_cast<const char *>(
        std::uintptr_t{*reinterpret_cast<const std::uint32_t *>(info + multiboot_info::command_line)});
    while (*line && *line != ' ') ++line;  // the kernel's file name
    if (*line == ' ') ++line;
    std::size_t length = 0;
    while (line[length] && length + 1 < max_bootargs) ++length;

    size_ = 0;
    const std::size_t header = reserve(devicetree::HeaderOffsets::size);
    const std::size_t reservations = reserve(2 * sizeof(std::uint64_t));  // one empty entry ends the map
    const std::size_t structure = size_;
    put32(devicetree::begin_node);
    put_padded("", 1);
    put32(devicetree::begin_node);
    put_padded("chosen", sizeof "chosen");
    put32(devicetree::property);
    put32(static_cast<std::uint32_t>(length + 1));
    put32(0);  // the name's offset in the strings block
    put_padded(line, length, 1);
    put32(devicetree::end_node);
    put32(devicetree::end_node);
    put32(devicetree::end);
    const std::size_t structure_size = size_ - structure;
    const std::size_t strings = size_;
    put_padded("bootargs", sizeof "bootargs");
    const std::size_t strings_size = sizeof "bootargs";

    store32(header + devicetree::HeaderOffsets::magic, devicetree::magic);
    store32(header + devicetree::HeaderOffsets::total_size, static_cast<std::uint32_t>(size_));
    store32(header + devicetree::HeaderOffsets::structure, static_cast<std::uint32_t>(structure));
    store32(header + devicetree::HeaderOffsets::strings, static_cast<std::uint32_t>(strings));
    store32(header + memory_reservations_offset, static_cast<std::uint32_t>(reservations));
    store32(header + version_offset, version);
    store32(header + last_compatible_offset, version);
    store32(header + devicetree::HeaderOffsets::strings_size, static_cast<std::uint32_t>(strings_size));
    store32(header + devicetree::HeaderOffsets::structure_size, static_cast<std::uint32_t>(structure_size));
    return blob_;
  }

 private:
  static constexpr std::size_t memory_reservations_offset = 16, version_offset = 20, last_compatible_offset = 24;
  static constexpr std::uint32_t version = 17;
  static constexpr std::size_t capacity = max_bootargs + 128;  // header, tokens, names, padding

  static std::size_t reserve(std::size_t bytes) {
    const std::size_t at = size_;
    for (std::size_t i = 0; i < bytes; ++i) blob_[size_++] = 0;
    return at;
  }
  static void store32(std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
      blob_[at + static_cast<std::size_t>(i)] = static_cast<unsigned char>(value >> (24 - 8 * i));
  }
  static void put32(std::uint32_t value) { store32(reserve(4), value); }
  // `length` bytes of `text`, `zeros` NULs, then padding to 4 bytes.
  static void put_padded(const char *text, std::size_t length, std::size_t zeros = 0) {
    for (std::size_t i = 0; i < length; ++i) blob_[size_++] = static_cast<unsigned char>(text[i]);
    reserve(zeros + (4 - (length + zeros) % 4) % 4);
  }

  alignas(8) static inline unsigned char blob_[capacity];
  static inline std::size_t size_ = 0;
};

}  // namespace cte::x86_64::pc

extern "C" [[gnu::used]] inline const void *cte_x86_64_pc_devicetree(std::uint32_t multiboot_info) {
  return cte::x86_64::pc::CommandLineDevicetree::build(multiboot_info);
}
