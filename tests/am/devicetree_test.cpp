// <cte/devicetree.hpp> on hand-built blobs: /chosen/bootargs is found (not a same-named
// property of another node), absent properties and nodes give nullptr, and a corrupt or
// truncated blob gives nullptr instead of a read beyond it.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <cte/devicetree.hpp>

namespace {

// Builds a flattened device tree: structure block tokens, then the strings block.
class Blob {
 public:
  void begin(const char *name) {
    word(cte::devicetree::begin_node);
    bytes(name, std::strlen(name) + 1);
  }
  void end() { word(cte::devicetree::end_node); }
  void property(const char *name, const std::string &value) {
    word(cte::devicetree::property);
    word(static_cast<std::uint32_t>(value.size() + 1));
    word(string_offset(name));
    bytes(value.c_str(), value.size() + 1);
  }
  std::vector<unsigned char> finish() {
    word(cte::devicetree::end);
    constexpr std::uint32_t header = 40;
    std::vector<unsigned char> blob(header);
    const auto put = [&blob](std::size_t at, std::uint32_t v) {
      for (int i = 0; i < 4; ++i) blob[at + i] = static_cast<unsigned char>(v >> (24 - 8 * i));
    };
    put(0, cte::devicetree::magic);
    put(8, header);
    put(12, header + static_cast<std::uint32_t>(structure_.size()));
    put(32, static_cast<std::uint32_t>(strings_.size()));
    put(36, static_cast<std::uint32_t>(structure_.size()));
    blob.insert(blob.end(), structure_.begin(), structure_.end());
    blob.insert(blob.end(), strings_.begin(), strings_.end());
    put(4, static_cast<std::uint32_t>(blob.size()));
    return blob;
  }

 private:
  void word(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) structure_.push_back(static_cast<unsigned char>(v >> (24 - 8 * i)));
  }
  void bytes(const char *p, std::size_t n) {
    structure_.insert(structure_.end(), p, p + n);
    while (structure_.size() % 4) structure_.push_back(0);
  }
  std::uint32_t string_offset(const char *name) {
    const auto offset = static_cast<std::uint32_t>(strings_.size());
    strings_.insert(strings_.end(), name, name + std::strlen(name) + 1);
    return offset;
  }
  std::vector<unsigned char> structure_, strings_;
};

int failures = 0;
void check(bool ok, const char *what) {
  if (!ok) {
    std::printf("devicetree: FAIL: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  Blob builder;
  builder.begin("");
  builder.property("model", "test");
  builder.begin("cpus");
  builder.begin("chosen");  // not /chosen: a grandchild of that name
  builder.property("bootargs", "wrong");
  builder.end();
  builder.end();
  builder.begin("chosen");
  builder.property("stdout-path", "/uart");
  builder.property("bootargs", "run time args");
  builder.end();
  builder.end();
  std::vector<unsigned char> blob = builder.finish();

  const char *args = cte::devicetree::bootargs(blob.data());
  check(args && std::strcmp(args, "run time args") == 0, "/chosen/bootargs");
  const char *model = cte::devicetree::find_string(blob.data(), "/", "model");
  check(model && std::strcmp(model, "test") == 0, "root property");
  check(!cte::devicetree::find_string(blob.data(), "/chosen", "absent"), "absent property");
  check(!cte::devicetree::find_string(blob.data(), "/memory", "reg"), "absent node");
  const char *nested = cte::devicetree::find_string(blob.data(), "/cpus/chosen", "bootargs");
  check(nested && std::strcmp(nested, "wrong") == 0, "nested path");
  check(!cte::devicetree::bootargs(nullptr), "null blob");

  std::vector<unsigned char> bad_magic = blob;
  bad_magic[0] ^= 0xff;
  check(!cte::devicetree::bootargs(bad_magic.data()), "bad magic");

  // Structure size claiming more than the blob holds.
  std::vector<unsigned char> oversized = blob;
  oversized[36] = 0x7f;
  check(!cte::devicetree::bootargs(oversized.data()), "structure beyond the blob");

  // A property length running past the structure block.
  std::vector<unsigned char> long_property = blob;
  for (std::size_t at = 40; at + 12 <= long_property.size(); at += 4) {
    if (long_property[at + 3] == cte::devicetree::property && long_property[at] == 0) {
      long_property[at + 4] = 0x7f;  // its length
      break;
    }
  }
  check(!cte::devicetree::find_string(long_property.data(), "/", "model"), "property beyond the structure");

  if (failures) return 1;
  std::printf("devicetree: ok\n");
  return 0;
}
