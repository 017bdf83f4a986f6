// Differential test of cte::x86_64::instruction_length against Zydis (Debian's libzydis-dev, a
// test-only dependency), over structured and random encodings. The rule: every encoding Zydis
// decodes in 64-bit mode gets Zydis's length from cte. (cte's decoder computes lengths and does
// not fully validate, so encodings only Zydis rejects are counted, not failures.)
//
// Structured: every opcode of the one-byte, 0F, 0F 38 and 0F 3A maps with every ModRM byte,
// under a set of prefix combinations, followed by varying bytes (SIB, displacement, immediate).
// Random: buffers whose first bytes are drawn with a bias towards prefixes, REX and the
// VEX/EVEX/XOP escapes, so every decoder path is reached often. Fixed seeds: runs repeat.
// Prints the counts; exits 1 on the first mismatches (up to 20 listed).

#include <Zydis/Zydis.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include <cte/x86_64/instruction_length.hpp>

namespace {

constexpr std::size_t buffer_size = 15;
using Buffer = std::uint8_t[buffer_size];

struct Tally {
  std::uint64_t tried = 0, agreed = 0, rejected_by_reference = 0, accepted_only_by_cte = 0, mismatched = 0,
                knights_corner = 0;
};

class Differential {
 public:
  Differential() { ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64); }

  void check(const Buffer bytes) {
    ++tally_.tried;
    ZydisDecodedInstruction instruction;
    const bool valid =
        ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, nullptr, bytes, buffer_size, &instruction));
    const std::size_t length = cte::x86_64::instruction_length(bytes, buffer_size);
    if (!valid) {
      ++tally_.rejected_by_reference;
      if (length != 0) ++tally_.accepted_only_by_cte;
      return;
    }
    // Knights Corner (the first Xeon Phi, not an x86-64 CPU) gave a few VEX opcodes meanings
    // no other processor has; elsewhere they are #UD, and cte computes their generic length.
    if (is_knights_corner(instruction)) {
      ++tally_.knights_corner;
      return;
    }
    if (length == instruction.length) {
      ++tally_.agreed;
      return;
    }
    if (++tally_.mismatched <= 20) {
      std::printf("mismatch: cte %zu, zydis %u:", length, static_cast<unsigned>(instruction.length));
      for (std::size_t i = 0; i < buffer_size; ++i) std::printf(" %02x", bytes[i]);
      std::printf("\n");
    }
  }

  const Tally &tally() const { return tally_; }

  static bool is_knights_corner(const ZydisDecodedInstruction &instruction) {
    return instruction.meta.isa_ext == ZYDIS_ISA_EXT_KNC || instruction.meta.isa_ext == ZYDIS_ISA_EXT_KNCE ||
           instruction.meta.isa_ext == ZYDIS_ISA_EXT_KNCV;
  }

 private:
  ZydisDecoder decoder_;
  Tally tally_;
};

// Fills bytes[from..] with a pattern that differs per call (SIB, displacement and immediate
// bytes), so that lengths depending on the bytes after ModRM are exercised.
void fill_tail(Buffer bytes, std::size_t from, std::minstd_rand &random) {
  for (std::size_t i = from; i < buffer_size; ++i) bytes[i] = static_cast<std::uint8_t>(random());
}

void structured(Differential &differential) {
  // Prefix combinations: none, each legacy group, REX forms, and mixes compilers emit.
  const std::vector<std::vector<std::uint8_t>> prefix_sets = {
      {},     {0x66}, {0xf2},       {0xf3},       {0x67},       {0xf0},       {0x2e},
      {0x48}, {0x41}, {0x66, 0x48}, {0xf3, 0x48}, {0xf2, 0x4c}, {0x66, 0x67}, {0xf0, 0x66, 0x48},
  };
  const std::vector<std::vector<std::uint8_t>> escapes = {{}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}};
  std::minstd_rand random(14);
  for (const auto &prefixes : prefix_sets)
    for (const auto &escape : escapes)
      for (unsigned opcode = 0; opcode < 256; ++opcode)
        for (unsigned modrm = 0; modrm < 256; ++modrm) {
          Buffer bytes;
          std::size_t n = 0;
          for (std::uint8_t byte : prefixes) bytes[n++] = byte;
          for (std::uint8_t byte : escape) bytes[n++] = byte;
          bytes[n++] = static_cast<std::uint8_t>(opcode);
          bytes[n++] = static_cast<std::uint8_t>(modrm);
          fill_tail(bytes, n, random);
          differential.check(bytes);
        }
}

// VEX (C4/C5), EVEX (62) and XOP (8F): every opcode under each map, with random payload bits.
void structured_vector(Differential &differential) {
  std::minstd_rand random(16);
  for (unsigned round = 0; round < 64; ++round)
    for (std::uint8_t escape : {0xc4, 0xc5, 0x62, 0x8f})
      for (unsigned map = 0; map < 8; ++map)
        for (unsigned opcode = 0; opcode < 256; ++opcode) {
          Buffer bytes;
          fill_tail(bytes, 0, random);
          std::size_t n = 0;
          if (round & 1) bytes[n++] = 0x66;  // a legacy prefix before the escape (mostly #UD)
          bytes[n++] = escape;
          if (escape == 0xc5) {
            bytes[n++] = static_cast<std::uint8_t>(random());
          } else {
            // R X B (and R') bits random; the map field in the low bits of the first payload byte.
            bytes[n] = static_cast<std::uint8_t>((random() & 0xe0) |
                                                 (escape == 0x62 ? (map & 7) : map + (escape == 0x8f ? 8 : 0)));
            n += escape == 0x62 ? 3 : 2;
          }
          bytes[n] = static_cast<std::uint8_t>(opcode);
          differential.check(bytes);
        }
}

// Random buffers; the first three bytes are biased towards prefixes and escapes.
void random_encodings(Differential &differential, std::uint64_t count) {
  static constexpr std::uint8_t interesting[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26,
                                                 0x64, 0x65, 0x36, 0x40, 0x48, 0x4c, 0x4f, 0x0f,
                                                 0x0f, 0x0f, 0xc4, 0xc5, 0x62, 0x8f, 0x38, 0x3a};
  std::mt19937_64 random(1414);
  for (std::uint64_t i = 0; i < count; ++i) {
    Buffer bytes;
    std::uint64_t word = random();
    for (std::size_t j = 0; j < buffer_size; ++j) {
      if (j % 8 == 0) word = random();
      bytes[j] = static_cast<std::uint8_t>(word >> (8 * (j % 8)));
    }
    const std::uint64_t choice = random();
    for (std::size_t j = 0; j < 3; ++j)
      if ((choice >> (8 * j)) & 1) bytes[j] = interesting[((choice >> (8 * j + 1)) & 0x7f) % sizeof interesting];
    differential.check(bytes);
  }
}

}  // namespace

int main() {
  const auto start = std::chrono::steady_clock::now();
  Differential differential;
  structured(differential);
  structured_vector(differential);
  random_encodings(differential, 4'000'000);
  const Tally &t = differential.tally();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "x86_64 instruction length vs Zydis %d.%d: %llu encodings, %llu valid and agreed, %llu mismatched; "
      "%llu rejected by Zydis (%llu of them given a length by cte); %llu Knights Corner only (skipped); %.1f s\n",
      static_cast<int>(ZYDIS_VERSION >> 48), static_cast<int>((ZYDIS_VERSION >> 32) & 0xffff),
      static_cast<unsigned long long>(t.tried), static_cast<unsigned long long>(t.agreed),
      static_cast<unsigned long long>(t.mismatched), static_cast<unsigned long long>(t.rejected_by_reference),
      static_cast<unsigned long long>(t.accepted_only_by_cte), static_cast<unsigned long long>(t.knights_corner),
      seconds);
  return t.mismatched == 0 && t.agreed > 0 ? 0 : 1;
}
