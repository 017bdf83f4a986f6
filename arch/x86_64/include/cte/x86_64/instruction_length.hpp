#pragma once
// x86-64 instruction length decoder. skip_instruction() has to step RIP over the faulting
// instruction, and x86 encodings are variable length, so it needs this. It is a pure function
// over a byte buffer (no libc, no heap, no exceptions): usable freestanding, at compile time,
// and testable on any host ISA.
//
// Scope: 64-bit mode only. It computes lengths; it does not fully validate. Opcodes that are
// #UD in 64-bit mode (or unassigned in the one- and two-byte maps) are rejected, but e.g. a
// LOCK on a non-lockable instruction, or an unassigned opcode inside the 0F 38 / 0F 3A / VEX /
// EVEX maps, still gets the length it would have if it were defined.

#include <cstddef>
#include <cstdint>

namespace cte::x86_64 {

// Length in bytes of the instruction starting at code[0], reading at most `available` bytes
// (capped at 15, the architectural maximum). Returns 0 when the bytes are not a valid 64-bit-mode
// instruction encoding or the instruction runs past `available`.
constexpr std::size_t instruction_length(const std::uint8_t *code, std::size_t available = 15);

namespace detail::insn_length {

inline constexpr std::size_t kMaxLength = 15;

// Per-opcode attributes. An opcode needs at most: a ModRM operand, then one immediate.
enum Attr : std::uint8_t {
  kNone = 0,
  kModRM = 1u << 0,    // ModRM (+ SIB + displacement) follows the opcode
  kImm8 = 1u << 1,     // Ib / Jb
  kImm16 = 1u << 2,    // Iw (RET/RETF imm16: never resized by 66)
  kImmZ = 1u << 3,     // Iz: imm16 with a 66 prefix (unless REX.W), else imm32
  kRel32 = 1u << 4,    // Jz on near branches: always 4 bytes in 64-bit mode (see below)
  kSpecial = 1u << 5,  // decoded by hand in decode_one_byte() / decode_two_byte()
  kPrefix = 1u << 6,   // handled by read_prefixes(); never reaches the opcode dispatch
  kInvalid = 1u << 7,  // #UD in 64-bit mode, or unassigned
};

// Short names so each opcode map below fits on 16 columns like the SDM's tables.
inline constexpr std::uint8_t NO = kNone;
inline constexpr std::uint8_t MR = kModRM;
inline constexpr std::uint8_t IB = kImm8;
inline constexpr std::uint8_t IW = kImm16;
inline constexpr std::uint8_t IZ = kImmZ;
inline constexpr std::uint8_t JZ = kRel32;
inline constexpr std::uint8_t MB = kModRM | kImm8;
inline constexpr std::uint8_t MZ = kModRM | kImmZ;
inline constexpr std::uint8_t SP = kSpecial;
inline constexpr std::uint8_t PF = kPrefix;
inline constexpr std::uint8_t XX = kInvalid;

// JZ: near CALL/JMP/Jcc with a 66 prefix are rel32 on Intel 64 (prefix ignored) but rel16 on
// AMD64. Compilers never emit that combination; we follow Intel 64 and always take rel32.

// One-byte opcode map, 64-bit mode.
//  - 06/07/0E/16/17/1E/1F (push/pop seg), 27/2F/37/3F (BCD), 60/61 (pusha/popa), 82 (alias of
//    80), 9A/EA (far absolute), CE (into), D4/D5 (aam/aad), D6 (salc): #UD in 64-bit mode.
//  - 40-4F are REX, not inc/dec. 62/C4/C5 are EVEX/VEX, not bound/les/lds.
//  - 8F is special because 8F followed by a map field of 8 or more is AMD XOP.
//  - A0-A3 (moffs), B8-BF (imm64 under REX.W), C8 (enter), F6/F7 (TEST imm) are special.
inline constexpr std::uint8_t kOneByte[256] = {
    //   0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F
    MR, MR, MR, MR, IB, IZ, XX, XX, MR, MR, MR, MR, IB, IZ, XX, SP,  // 0x: add, or, 0F escape
    MR, MR, MR, MR, IB, IZ, XX, XX, MR, MR, MR, MR, IB, IZ, XX, XX,  // 1x: adc, sbb
    MR, MR, MR, MR, IB, IZ, PF, XX, MR, MR, MR, MR, IB, IZ, PF, XX,  // 2x: and, es:, sub, cs:
    MR, MR, MR, MR, IB, IZ, PF, XX, MR, MR, MR, MR, IB, IZ, PF, XX,  // 3x: xor, ss:, cmp, ds:
    PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF, PF,  // 4x: REX
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,  // 5x: push/pop r64
    XX, XX, SP, MR, PF, PF, PF, PF, IZ, MZ, IB, MB, NO, NO, NO, NO,  // 6x: EVEX, movsxd, fs: gs:
    IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,  // 7x: jcc rel8
    MB, MZ, XX, MB, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, SP,  // 8x: grp1, test, xchg, mov
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, XX, NO, NO, NO, NO, NO,  // 9x: xchg, cbw, pushf...
    SP, SP, SP, SP, NO, NO, NO, NO, IB, IZ, NO, NO, NO, NO, NO, NO,  // Ax: moffs, string ops
    IB, IB, IB, IB, IB, IB, IB, IB, SP, SP, SP, SP, SP, SP, SP, SP,  // Bx: mov r8,ib; mov r,iv
    MB, MB, IW, NO, SP, SP, MB, MZ, SP, NO, IW, NO, NO, IB, XX, NO,  // Cx: shifts, ret, VEX, int
    MR, MR, MR, MR, XX, XX, XX, NO, MR, MR, MR, MR, MR, MR, MR, MR,  // Dx: shifts, xlat, x87
    IB, IB, IB, IB, IB, IB, IB, IB, JZ, JZ, XX, IB, NO, NO, NO, NO,  // Ex: loop, in/out, call, jmp
    PF, NO, PF, PF, NO, NO, SP, SP, NO, NO, NO, NO, NO, NO, MR, MR,  // Fx: lock, rep, grp3, grp4/5
};

// Two-byte opcode map (0F xx).
//  - 04/0A/0C/24-27/36/39/3B-3F/7A/7B: unassigned (or #UD in 64-bit mode: mov tr).
//  - A6/A7 are the VIA PadLock instructions (fixed "ModRM" byte C0/C8/..): decoded as ModRM.
//  - 0F (3DNow!: ModRM + opcode-suffix byte), 20-23 (mov cr/dr), 38/3A (three-byte escapes) and
//    78 (SSE4a extrq/insertq carry two imm8s) are special.
inline constexpr std::uint8_t kTwoByte[256] = {
    //   0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F
    MR, MR, MR, MR, XX, NO, NO, NO, NO, NO, XX, NO, XX, MR, NO, SP,  // 0x: grp6/7, syscall, ud2
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 1x: sse mov, hint nops
    SP, SP, SP, SP, XX, XX, XX, XX, MR, MR, MR, MR, MR, MR, MR, MR,  // 2x: mov cr/dr, sse
    NO, NO, NO, NO, NO, NO, XX, NO, SP, XX, SP, XX, XX, XX, XX, XX,  // 3x: msr, tsc, 38/3A esc
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 4x: cmovcc
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 5x: sse
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 6x: mmx/sse
    MB, MB, MB, MB, MR, MR, MR, NO, SP, MR, XX, XX, MR, MR, MR, MR,  // 7x: pshuf, shifts, emms
    JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ,  // 8x: jcc rel32
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 9x: setcc
    NO, NO, NO, MR, MB, MR, MR, MR, NO, NO, NO, MR, MB, MR, MR, MR,  // Ax: cpuid, bt, shld/shrd
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MB, MR, MR, MR, MR, MR,  // Bx: cmpxchg, movzx, grp8
    MR, MR, MB, MR, MB, MB, MB, MR, NO, NO, NO, NO, NO, NO, NO, NO,  // Cx: xadd, cmpps, bswap
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // Dx: mmx/sse
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // Ex: mmx/sse
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // Fx: mmx/sse, ud0
};

// Bounds-checked forward reader. Any read past the limit latches `failed`, so decoders can be
// written straight-line and checked once at the end.
class Reader {
 public:
  constexpr Reader(const std::uint8_t *code, std::size_t limit) : code_(code), limit_(limit) {}

  constexpr std::uint8_t peek() {
    if (pos_ >= limit_) {
      failed_ = true;
      return 0;
    }
    return code_[pos_];
  }
  constexpr std::uint8_t next() {
    const std::uint8_t byte = peek();
    if (!failed_) ++pos_;
    return byte;
  }
  constexpr void skip(std::size_t count) {
    if (count > limit_ - pos_) fail();
    if (!failed_) pos_ += count;
  }
  constexpr void fail() { failed_ = true; }
  constexpr std::size_t result() const { return failed_ ? 0 : pos_; }

 private:
  const std::uint8_t *code_;
  std::size_t limit_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

struct Prefixes {
  bool operand_size = false;  // 66
  bool address_size = false;  // 67: 32-bit addressing
  bool rep = false;           // F2 or F3
  bool repne = false;         // F2
  bool lock = false;          // F0
  std::uint8_t rex = 0;       // REX byte, only if it directly precedes the opcode

  constexpr bool rex_w() const { return (rex & 0x08) != 0; }
  // Iz: REX.W wins over 66 (the immediate is then imm32, sign-extended to 64).
  constexpr std::size_t imm_z_size() const { return (operand_size && !rex_w()) ? 2 : 4; }
  // VEX/EVEX encode these themselves; combining them with the legacy forms is #UD.
  constexpr bool forbid_vex() const { return operand_size || rep || lock || rex != 0; }
};

constexpr bool is_legacy_prefix(std::uint8_t byte) {
  switch (byte) {
    case 0x26:
    case 0x2E:
    case 0x36:
    case 0x3E:
    case 0x64:
    case 0x65:  // segment overrides
    case 0x66:
    case 0x67:
    case 0xF0:
    case 0xF2:
    case 0xF3: return true;
    default: return false;
  }
}

constexpr Prefixes read_prefixes(Reader &reader) {
  Prefixes prefixes;
  for (;;) {
    const std::uint8_t byte = reader.peek();  // at the limit: returns 0 (no prefix) and fails
    if (is_legacy_prefix(byte)) {
      if (byte == 0x66) prefixes.operand_size = true;
      if (byte == 0x67) prefixes.address_size = true;
      if (byte == 0xF2 || byte == 0xF3) prefixes.rep = true;
      if (byte == 0xF2) prefixes.repne = true;
      if (byte == 0xF0) prefixes.lock = true;
      prefixes.rex = 0;  // a REX followed by a legacy prefix is ignored
    } else if ((byte & 0xF0) == 0x40) {
      prefixes.rex = byte;
    } else {
      return prefixes;
    }
    reader.next();
  }
}

// Consumes ModRM plus its SIB and displacement; returns the ModRM byte (callers may need .reg).
// 64-bit and 32-bit (67) addressing share these rules; 16-bit addressing does not exist here.
constexpr std::uint8_t read_modrm(Reader &reader) {
  const std::uint8_t modrm = reader.next();
  const unsigned mod = modrm >> 6;
  const unsigned rm = modrm & 7u;
  if (mod == 3) return modrm;  // register operand
  if (rm == 4) {
    const std::uint8_t sib = reader.next();
    if (mod == 0 && (sib & 7u) == 5) reader.skip(4);  // no base register: disp32
  } else if (mod == 0 && rm == 5) {
    reader.skip(4);  // RIP-relative (EIP-relative with 67): disp32
  }
  if (mod == 1) reader.skip(1);
  if (mod == 2) reader.skip(4);
  return modrm;
}

constexpr unsigned modrm_reg(std::uint8_t modrm) { return (modrm >> 3) & 7u; }

// Table-driven operands: ModRM first, then the immediate.
constexpr void read_operands(Reader &reader, std::uint8_t attr, const Prefixes &prefixes) {
  if ((attr & kModRM) != 0) read_modrm(reader);
  if ((attr & kImm8) != 0) reader.skip(1);
  if ((attr & kImm16) != 0) reader.skip(2);
  if ((attr & kImmZ) != 0) reader.skip(prefixes.imm_z_size());
  if ((attr & kRel32) != 0) reader.skip(4);
}

// The rest of a VEX/EVEX instruction once map and opcode are known. All of them take ModRM
// except VEX vzeroupper/vzeroall (0F 77). Map 3 (0F 3A) always has imm8; map 1 only for the
// same few opcodes that carry one in the legacy 0F map (pshufd & shift groups, cmpps, pinsrw,
// pextrw, shufps). Maps 5/6 are AVX512-FP16 (EVEX only), without immediates.
constexpr void read_vector_body(Reader &reader, unsigned map, std::uint8_t opcode, bool evex) {
  switch (map) {
    case 1:
      if (!evex && opcode == 0x77) return;
      read_modrm(reader);
      if ((opcode >= 0x70 && opcode <= 0x73) || opcode == 0xC2 || (opcode >= 0xC4 && opcode <= 0xC6)) {
        reader.skip(1);
      }
      return;
    case 2: read_modrm(reader); return;
    case 3:
      read_modrm(reader);
      reader.skip(1);
      return;
    case 5:
    case 6:
      if (!evex) break;
      read_modrm(reader);
      return;
    default: break;
  }
  reader.fail();  // reserved/unsupported map (incl. APX map 4 and map 7)
}

// C5 [R vvvv L pp] opcode ...           (map is implicitly 0F)
// C4 [R X B m-mmmm] [W vvvv L pp] opcode ...
constexpr void read_vex(Reader &reader, const Prefixes &prefixes, bool three_byte) {
  if (prefixes.forbid_vex()) return reader.fail();
  unsigned map = 1;
  if (three_byte) map = reader.next() & 0x1Fu;
  reader.next();
  const std::uint8_t opcode = reader.next();
  read_vector_body(reader, map, opcode, false);
}

// 62 [R X B R' 0 mmm] [W vvvv 1 pp] [z L'L b V' aaa] opcode ...
// Compressed disp8*N is still one byte, so ModRM length rules are unchanged.
constexpr void read_evex(Reader &reader, const Prefixes &prefixes) {
  if (prefixes.forbid_vex()) return reader.fail();
  const unsigned map = reader.next() & 0x07u;
  reader.next();
  reader.next();
  const std::uint8_t opcode = reader.next();
  read_vector_body(reader, map, opcode, true);
}

// 8F [R X B m-mmmm] [W vvvv L pp] opcode ModRM ... (AMD XOP, map 8 to 0A): map 8 carries an
// imm8, map 9 nothing, map 0A an imm32 (bextr, lwpins, lwpval).
constexpr void read_xop(Reader &reader, const Prefixes &prefixes) {
  if (prefixes.forbid_vex()) return reader.fail();
  const unsigned map = reader.next() & 0x1Fu;
  reader.next();
  reader.next();  // opcode
  read_modrm(reader);
  switch (map) {
    case 0x08: return reader.skip(1);
    case 0x09: return;
    case 0x0A: return reader.skip(4);
    default: return reader.fail();
  }
}

constexpr void read_two_byte(Reader &reader, const Prefixes &prefixes) {
  const std::uint8_t opcode = reader.next();
  const std::uint8_t attr = kTwoByte[opcode];
  if ((attr & kInvalid) != 0) return reader.fail();
  if ((attr & kSpecial) == 0) return read_operands(reader, attr, prefixes);
  switch (opcode) {
    case 0x0F:  // 3DNow!: 0F 0F ModRM imm8, the trailing byte selects the operation
      read_modrm(reader);
      reader.skip(1);
      return;
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
      // mov to/from cr/dr: ModRM.mod is ignored and always means a register, so never SIB/disp.
      reader.next();
      return;
    case 0x38:  // three-byte map 0F 38: all ModRM, no immediate
      reader.next();
      read_modrm(reader);
      return;
    case 0x3A:  // three-byte map 0F 3A: all ModRM + imm8
      reader.next();
      read_modrm(reader);
      reader.skip(1);
      return;
    case 0x78:  // vmread; with 66 (extrq) or F2 (insertq) it is SSE4a with imm8, imm8
      read_modrm(reader);
      if (prefixes.operand_size || prefixes.repne) reader.skip(2);
      return;
    default: return reader.fail();
  }
}

constexpr void read_one_byte(Reader &reader, const Prefixes &prefixes) {
  const std::uint8_t opcode = reader.next();
  const std::uint8_t attr = kOneByte[opcode];
  // kPrefix can't really show up here (read_prefixes consumed them all); treat it as invalid.
  if ((attr & (kInvalid | kPrefix)) != 0) return reader.fail();
  if ((attr & kSpecial) == 0) return read_operands(reader, attr, prefixes);
  switch (opcode) {
    case 0x0F: return read_two_byte(reader, prefixes);
    case 0x62: return read_evex(reader, prefixes);
    case 0xC4: return read_vex(reader, prefixes, true);
    case 0xC5: return read_vex(reader, prefixes, false);
    case 0x8F:  // pop r/m64 is 8F /0; a map field of 8 or more in the next byte makes it AMD XOP
      if ((reader.peek() & 0x1Fu) >= 8) return read_xop(reader, prefixes);
      if (modrm_reg(read_modrm(reader)) != 0) reader.fail();
      return;
    case 0xA0:
    case 0xA1:
    case 0xA2:
    case 0xA3:  // mov al/eax <-> moffs: address-sized offset
      reader.skip(prefixes.address_size ? 4 : 8);
      return;
    case 0xB8:
    case 0xB9:
    case 0xBA:
    case 0xBB:
    case 0xBC:
    case 0xBD:
    case 0xBE:
    case 0xBF:  // mov r, imm: the only imm64 (REX.W)
      reader.skip(prefixes.rex_w() ? 8 : prefixes.imm_z_size());
      return;
    case 0xC8:  // enter imm16, imm8
      reader.skip(3);
      return;
    case 0xF6:
    case 0xF7: {  // group 3: only /0 and /1 (test) have an immediate; not/neg/mul/div don't
      const std::uint8_t modrm = read_modrm(reader);
      if (modrm_reg(modrm) <= 1) reader.skip(opcode == 0xF6 ? 1 : prefixes.imm_z_size());
      return;
    }
    default: return reader.fail();
  }
}

}  // namespace detail::insn_length

constexpr std::size_t instruction_length(const std::uint8_t *code, std::size_t available) {
  using namespace detail::insn_length;
  if (code == nullptr) return 0;
  Reader reader(code, available < kMaxLength ? available : kMaxLength);
  const Prefixes prefixes = read_prefixes(reader);
  read_one_byte(reader, prefixes);
  return reader.result();
}

}  // namespace cte::x86_64
