#pragma once
// A reader for the flattened device tree (FDT, Devicetree Specification v0.4 ch. 5) a boot
// loader hands a kernel: enough to find one property of one node, e.g. /chosen/bootargs (the
// command line QEMU's -append puts there). No allocation, no libc: bare-metal boot code uses
// it before anything is set up. Every offset is checked against the blob's declared sizes, so
// a missing or corrupt blob gives "not found", never a wild read beyond it.

#include <cstddef>
#include <cstdint>

namespace cte::devicetree {

inline constexpr std::uint32_t magic = 0xd00dfeed;

// Structure-block tokens.
enum Token : std::uint32_t { begin_node = 1, end_node = 2, property = 3, nop = 4, end = 9 };

// Header fields (big-endian 32-bit words), by byte offset.
struct HeaderOffsets {
  static constexpr std::size_t magic = 0, total_size = 4, structure = 8, strings = 12, strings_size = 32,
                               structure_size = 36;
  static constexpr std::size_t size = 40;
};

inline std::uint32_t load_be32(const unsigned char *bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

inline bool equal(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Length of the NUL-terminated string at `text`, if it ends before `limit`; otherwise -1.
inline std::ptrdiff_t bounded_length(const char *text, const char *limit) {
  for (const char *p = text; p < limit; ++p)
    if (!*p) return p - text;
  return -1;
}

// The value of property `name` of the node at `path` (absolute, "/chosen"; "/" is the root),
// and its length in bytes; nullptr if the blob is not a device tree or has no such property.
inline const void *find_property(const void *blob, const char *path, const char *name, std::size_t *length = nullptr) {
  if (!blob || path[0] != '/') return nullptr;
  const auto *base = static_cast<const unsigned char *>(blob);
  if (load_be32(base + HeaderOffsets::magic) != magic) return nullptr;
  const std::uint32_t total = load_be32(base + HeaderOffsets::total_size);
  const std::uint32_t structure = load_be32(base + HeaderOffsets::structure);
  const std::uint32_t structure_size = load_be32(base + HeaderOffsets::structure_size);
  const std::uint32_t strings = load_be32(base + HeaderOffsets::strings);
  const std::uint32_t strings_size = load_be32(base + HeaderOffsets::strings_size);
  if (total < HeaderOffsets::size || structure > total || structure_size > total - structure || strings > total ||
      strings_size > total - strings)
    return nullptr;
  const unsigned char *cursor = base + structure;
  const unsigned char *const structure_end = cursor + structure_size;
  const char *const strings_base = reinterpret_cast<const char *>(base + strings);
  const auto align4 = [base](const unsigned char *p) { return base + ((p - base + 3) & ~std::ptrdiff_t{3}); };

  // Walk the nodes, matching `path` one component at a time: `matched` is how many levels of
  // the current node's ancestry (root included) match the path so far.
  const char *remaining = path + 1;  // the components after the last matched level
  int depth = 0, matched = 0;
  while (cursor + 4 <= structure_end) {
    const std::uint32_t token = load_be32(cursor);
    cursor += 4;
    if (token == begin_node) {
      const char *node_name = reinterpret_cast<const char *>(cursor);
      const std::ptrdiff_t name_length = bounded_length(node_name, reinterpret_cast<const char *>(structure_end));
      if (name_length < 0) return nullptr;
      cursor = align4(cursor + name_length + 1);
      ++depth;
      if (matched != depth - 1) continue;  // inside a subtree off the path
      if (depth == 1) {
        matched = 1;  // the root (its name is empty)
        continue;
      }
      // Does this node's name equal the next path component?
      std::ptrdiff_t component = 0;
      while (remaining[component] && remaining[component] != '/') ++component;
      if (component != name_length) continue;
      bool same = true;
      for (std::ptrdiff_t i = 0; i < component; ++i) same = same && remaining[i] == node_name[i];
      if (!same) continue;
      matched = depth;
      remaining += component + (remaining[component] == '/' ? 1 : 0);
    } else if (token == end_node) {
      if (matched == depth) return nullptr;  // the path's node ended without the property
      --depth;
    } else if (token == property) {
      if (cursor + 8 > structure_end) return nullptr;
      const std::uint32_t value_length = load_be32(cursor);
      const std::uint32_t name_offset = load_be32(cursor + 4);
      const unsigned char *value = cursor + 8;
      if (value_length > static_cast<std::size_t>(structure_end - value) || name_offset >= strings_size) return nullptr;
      cursor = align4(value + value_length);
      if (matched != depth || *remaining) continue;  // not the path's node
      const char *property_name = strings_base + name_offset;
      if (bounded_length(property_name, strings_base + strings_size) < 0) return nullptr;
      if (!equal(property_name, name)) continue;
      if (length) *length = value_length;
      return value;
    } else if (token == end) {
      return nullptr;
    } else if (token != nop) {
      return nullptr;  // not a device tree we understand
    }
  }
  return nullptr;
}

// The string property `name` of the node at `path`, if it is NUL-terminated inside its value.
inline const char *find_string(const void *blob, const char *path, const char *name) {
  std::size_t length = 0;
  const char *value = static_cast<const char *>(find_property(blob, path, name, &length));
  if (!value || length == 0 || value[length - 1] != '\0') return nullptr;
  return value;
}

// The kernel command line (/chosen/bootargs), or nullptr.
inline const char *bootargs(const void *blob) { return find_string(blob, "/chosen", "bootargs"); }

}  // namespace cte::devicetree
