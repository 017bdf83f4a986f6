// Tests for cte::x86_64::instruction_length. Only byte arrays are decoded, so this runs on any
// host ISA. The first argument of expect_length() is the Intel-syntax instruction that GNU as
// assembles to exactly those bytes; cases starting with "~" are hand-written encodings as does
// not emit (redundant prefixes, alternate forms), whose lengths were checked with objdump
// (-M intel64). Cases starting with "!" follow the SDM where objdump splits the bytes
// differently: a REX not directly before the opcode is ignored rather than a separate
// instruction, and any prefix count is fine up to the 15-byte limit (objdump stops at 14).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <catch2/catch.hpp>

#include <cte/x86_64/instruction_length.hpp>

using cte::x86_64::instruction_length;

namespace {

// --- constexpr usability -------------------------------------------------------------------

constexpr std::uint8_t kUd2[] = {0x0F, 0x0B};
constexpr std::uint8_t kMovImm64[] = {0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8};
constexpr std::uint8_t kEvexVaddps[] = {0x62, 0xF1, 0x74, 0x48, 0x58, 0x40, 0x01};
constexpr std::uint8_t kInvalidPushEs[] = {0x06};

static_assert(instruction_length(kUd2, sizeof kUd2) == 2);
static_assert(instruction_length(kMovImm64, sizeof kMovImm64) == 10);
static_assert(instruction_length(kMovImm64, sizeof kMovImm64 - 1) == 0);  // truncated
static_assert(instruction_length(kEvexVaddps, sizeof kEvexVaddps) == 7);
static_assert(instruction_length(kInvalidPushEs, sizeof kInvalidPushEs) == 0);
static_assert(instruction_length(nullptr, 15) == 0);
static_assert([] {
  std::uint8_t buffer[16] = {};
  for (auto &byte : buffer) byte = 0x66;  // 15 operand-size prefixes + nop: 16 bytes
  buffer[15] = 0x90;
  return instruction_length(buffer, sizeof buffer);
}() == 0);

// --- helpers ---------------------------------------------------------------------------------

// `bytes` is exactly one instruction of `expected` length. Checks that the decoder returns
// `expected` when given exactly those bytes, the same when trailing bytes follow, and 0 for
// every truncation (so it never reads past `available`).
void expect_length(const char *what, std::initializer_list<std::uint8_t> bytes, std::size_t expected) {
  INFO(what);
  const std::vector<std::uint8_t> exact(bytes);
  REQUIRE(exact.size() == expected);  // the test data itself is consistent
  REQUIRE(instruction_length(exact.data(), exact.size()) == expected);

  std::vector<std::uint8_t> padded(exact);
  padded.insert(padded.end(), 16, 0x0F);  // garbage that must not be consumed
  REQUIRE(instruction_length(padded.data(), padded.size()) == expected);

  for (std::size_t available = 0; available < expected; ++available) {
    INFO("truncated to " << available << " bytes");
    REQUIRE(instruction_length(exact.data(), available) == 0);
  }
}

// `bytes` start with something that is not a valid 64-bit mode instruction; enough trailing
// bytes follow that the rejection can't be a truncation.
void expect_invalid(const char *what, std::initializer_list<std::uint8_t> bytes) {
  INFO(what);
  std::vector<std::uint8_t> buffer(bytes);
  buffer.resize(15, 0x00);
  REQUIRE(instruction_length(buffer.data(), buffer.size()) == 0);
}

}  // namespace

// --- tests -----------------------------------------------------------------------------------

TEST_CASE("x86_64 length: simple one-byte and two-byte instructions", "[x86_64][insn_length]") {
  expect_length("int3", {0xCC}, 1);
  expect_length("int 0x80", {0xCD, 0x80}, 2);
  expect_length("nop", {0x90}, 1);
  expect_length("hlt", {0xF4}, 1);
  expect_length("pause", {0xF3, 0x90}, 2);
  expect_length("wait", {0x9B}, 1);
  expect_length("push rbp", {0x55}, 1);
  expect_length("push r12", {0x41, 0x54}, 2);
  expect_length("leave", {0xC9}, 1);
  expect_length("ret", {0xC3}, 1);
  expect_length("ret 16", {0xC2, 0x10, 0x00}, 3);
  expect_length("enter 32, 1", {0xC8, 0x20, 0x00, 0x01}, 4);
  expect_length("iretq", {0x48, 0xCF}, 2);
  expect_length("ud2", {0x0F, 0x0B}, 2);
  expect_length("syscall", {0x0F, 0x05}, 2);
  expect_length("sysretq", {0x48, 0x0F, 0x07}, 3);
  expect_length("cpuid", {0x0F, 0xA2}, 2);
  expect_length("rdtsc", {0x0F, 0x31}, 2);
  expect_length("rdtscp", {0x0F, 0x01, 0xF9}, 3);
  expect_length("wrmsr", {0x0F, 0x30}, 2);
  expect_length("rdmsr", {0x0F, 0x32}, 2);
  expect_length("swapgs", {0x0F, 0x01, 0xF8}, 3);
  expect_length("xgetbv", {0x0F, 0x01, 0xD0}, 3);
  expect_length("endbr64", {0xF3, 0x0F, 0x1E, 0xFA}, 4);
  expect_length("bswap rax", {0x48, 0x0F, 0xC8}, 3);
  expect_length("xchg rbx, rax", {0x48, 0x93}, 2);
  expect_length("xchg qword ptr [rdi], rax", {0x48, 0x87, 0x07}, 3);
  expect_length("in al, 0x60", {0xE4, 0x60}, 2);
  expect_length("out 0x80, al", {0xE6, 0x80}, 2);
}

TEST_CASE("x86_64 length: ModRM, SIB and displacements", "[x86_64][insn_length]") {
  expect_length("div rcx", {0x48, 0xF7, 0xF1}, 3);
  expect_length("div ecx", {0xF7, 0xF1}, 2);
  expect_length("idiv qword ptr [rbx]", {0x48, 0xF7, 0x3B}, 3);
  expect_length("idiv dword ptr [rbp+8]", {0xF7, 0x7D, 0x08}, 3);
  expect_length("idiv qword ptr [rbp+0x1000]", {0x48, 0xF7, 0xBD, 0x00, 0x10, 0x00, 0x00}, 7);
  expect_length("idiv qword ptr [rsp]", {0x48, 0xF7, 0x3C, 0x24}, 4);
  expect_length("idiv qword ptr [rax+rcx*8+0x10]", {0x48, 0xF7, 0x7C, 0xC8, 0x10}, 5);
  // SIB with base=101 and mod=00: no base register, disp32.
  expect_length("idiv dword ptr [rcx*4+0x1234]", {0xF7, 0x3C, 0x8D, 0x34, 0x12, 0x00, 0x00}, 7);
  // r13 as base can't use mod=00 (that is RIP-relative), so it needs a disp8 of 0.
  expect_length("idiv qword ptr [r13+0]", {0x49, 0xF7, 0x7D, 0x00}, 4);
  expect_length("idiv qword ptr [r12+r13*2+0x12345678]", {0x4B, 0xF7, 0xBC, 0x6C, 0x78, 0x56, 0x34, 0x12}, 8);
  expect_length("div byte ptr [rip+0x10]", {0xF6, 0x35, 0x10, 0x00, 0x00, 0x00}, 6);
  expect_length("lea rax, [rip+0x1000]", {0x48, 0x8D, 0x05, 0x00, 0x10, 0x00, 0x00}, 7);
  // 67: 32-bit addressing, same ModRM length rules (here EIP-relative and SIB).
  expect_length("lea eax, [eip+0x10]", {0x67, 0x8D, 0x05, 0x10, 0x00, 0x00, 0x00}, 7);
  expect_length("lea rax, [ebx+ecx*2]", {0x67, 0x48, 0x8D, 0x04, 0x4B}, 5);
  expect_length("mov rax, qword ptr [0x1000]",  // absolute disp32 via SIB, no RIP
                {0x48, 0x8B, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00}, 8);
  expect_length("movsxd rax, ecx", {0x48, 0x63, 0xC1}, 3);
  expect_length("movzx eax, byte ptr [rdi]", {0x0F, 0xB6, 0x07}, 3);
  expect_length("cmovne rax, rbx", {0x48, 0x0F, 0x45, 0xC3}, 4);
  expect_length("sete al", {0x0F, 0x94, 0xC0}, 3);
  expect_length("pop qword ptr [rax]", {0x8F, 0x00}, 2);
  expect_length("fld1", {0xD9, 0xE8}, 2);
  expect_length("fld qword ptr [rsp+8]", {0xDD, 0x44, 0x24, 0x08}, 4);
  expect_length("lgdt [rax]", {0x0F, 0x01, 0x10}, 3);
  expect_length("invlpg byte ptr [rdi]", {0x0F, 0x01, 0x3F}, 3);
  expect_length("ud1 eax, dword ptr [rax]", {0x0F, 0xB9, 0x00}, 3);
  expect_length("ud0 eax, dword ptr [rax]", {0x0F, 0xFF, 0x00}, 3);
  // mov to/from control/debug registers ignores ModRM.mod: never SIB or displacement.
  expect_length("mov cr3, rax", {0x0F, 0x22, 0xD8}, 3);
  expect_length("mov rax, dr7", {0x0F, 0x21, 0xF8}, 3);
  expect_length("~ mov rbp, cr0 (mod=00 rm=101, no disp32)", {0x0F, 0x20, 0x05}, 3);
}

TEST_CASE("x86_64 length: immediates and operand size", "[x86_64][insn_length]") {
  expect_length("mov rax, 0x1122334455667788", {0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 10);
  expect_length("mov r15, 0x1122334455667788", {0x49, 0xBF, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 10);
  expect_length("mov eax, 0x12345678", {0xB8, 0x78, 0x56, 0x34, 0x12}, 5);
  expect_length("mov ax, 0x1234", {0x66, 0xB8, 0x34, 0x12}, 4);
  expect_length("mov al, 1", {0xB0, 0x01}, 2);
  expect_length("mov rax, -1", {0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF}, 7);
  expect_length("mov word ptr [rax], 0x1234", {0x66, 0xC7, 0x00, 0x34, 0x12}, 5);
  expect_length("mov qword ptr [rip+0x100], 1", {0x48, 0xC7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}, 11);
  // REX.W takes precedence over 66: imm64 for B8+r, imm32 for Iz.
  expect_length("~ mov rax, imm64 with a redundant 66",
                {0x66, 0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 11);
  expect_length("~ mov rax, imm32 with a redundant 66", {0x66, 0x48, 0xC7, 0xC0, 0x01, 0x00, 0x00, 0x00}, 8);
  expect_length("add al, 1", {0x04, 0x01}, 2);
  expect_length("add eax, 1", {0x83, 0xC0, 0x01}, 3);
  expect_length("add eax, 0x1000", {0x05, 0x00, 0x10, 0x00, 0x00}, 5);
  expect_length("add ax, 0x1000", {0x66, 0x05, 0x00, 0x10}, 4);
  expect_length("add rax, 0x1000", {0x48, 0x05, 0x00, 0x10, 0x00, 0x00}, 6);
  expect_length("add qword ptr [rsp+8], 0x1000", {0x48, 0x81, 0x44, 0x24, 0x08, 0x00, 0x10, 0x00, 0x00}, 9);
  expect_length("imul eax, ecx, 100", {0x6B, 0xC1, 0x64}, 3);
  expect_length("imul eax, ecx, 1000", {0x69, 0xC1, 0xE8, 0x03, 0x00, 0x00}, 6);
  expect_length("imul ax, cx, 1000", {0x66, 0x69, 0xC1, 0xE8, 0x03}, 5);
  expect_length("push 0x12345678", {0x68, 0x78, 0x56, 0x34, 0x12}, 5);
  expect_length("push 8", {0x6A, 0x08}, 2);
  expect_length("shl rax, 4", {0x48, 0xC1, 0xE0, 0x04}, 4);
  expect_length("shl eax, 1", {0xD1, 0xE0}, 2);
  expect_length("shl eax, cl", {0xD3, 0xE0}, 2);
  expect_length("xabort 1", {0xC6, 0xF8, 0x01}, 3);

  // Group 3: only TEST (/0, and its alias /1) has an immediate.
  expect_length("test bl, 0x80", {0xF6, 0xC3, 0x80}, 3);
  expect_length("test byte ptr [rdi], 1", {0xF6, 0x07, 0x01}, 3);
  expect_length("~ test byte ptr [rdi], 1 (F6 /1 alias)", {0xF6, 0x0F, 0x01}, 3);
  expect_length("not byte ptr [rdi]", {0xF6, 0x17}, 2);
  expect_length("neg rax", {0x48, 0xF7, 0xD8}, 3);
  expect_length("mul qword ptr [rsi+8]", {0x48, 0xF7, 0x66, 0x08}, 4);
  expect_length("test dword ptr [rax], 1", {0xF7, 0x00, 0x01, 0x00, 0x00, 0x00}, 6);
  expect_length("test qword ptr [rax], 1", {0x48, 0xF7, 0x00, 0x01, 0x00, 0x00, 0x00}, 7);
  expect_length("test cx, 0x1234", {0x66, 0xF7, 0xC1, 0x34, 0x12}, 5);
  expect_length("test word ptr [rax], 0x1234", {0x66, 0xF7, 0x00, 0x34, 0x12}, 5);
}

TEST_CASE("x86_64 length: moffs forms depend on the address size", "[x86_64][insn_length]") {
  expect_length("movabs rax, qword ptr [0x1122334455667788]",
                {0x48, 0xA1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 10);
  expect_length("movabs byte ptr [0x1122334455667788], al", {0xA2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 9);
  expect_length("addr32 mov eax, dword ptr [0x11223344]", {0x67, 0xA1, 0x44, 0x33, 0x22, 0x11}, 6);
  expect_length("~ 67 mov rax, moffs32", {0x67, 0x48, 0xA1, 0x44, 0x33, 0x22, 0x11}, 7);
}

TEST_CASE("x86_64 length: branches", "[x86_64][insn_length]") {
  expect_length("~ jmp rel8", {0xEB, 0x10}, 2);
  expect_length("~ jmp rel32", {0xE9, 0x00, 0x10, 0x00, 0x00}, 5);
  expect_length("~ jne rel8", {0x75, 0xFE}, 2);
  expect_length("~ je rel32", {0x0F, 0x84, 0x00, 0x10, 0x00, 0x00}, 6);
  expect_length("~ jg rel32", {0x0F, 0x8F, 0x00, 0x10, 0x00, 0x00}, 6);
  expect_length("~ call rel32", {0xE8, 0x00, 0x00, 0x00, 0x00}, 5);
  expect_length("~ loop rel8", {0xE2, 0xFE}, 2);
  expect_length("~ jrcxz rel8", {0xE3, 0xFE}, 2);
  // Intel 64 ignores 66 on near branches (AMD64 would make this rel16; see the header).
  expect_length("~ 66 jmp rel32", {0x66, 0xE9, 0x00, 0x10, 0x00, 0x00}, 6);
  expect_length("~ xbegin rel32", {0xC7, 0xF8, 0x00, 0x10, 0x00, 0x00}, 6);
  expect_length("call qword ptr [rip+0x100]", {0xFF, 0x15, 0x00, 0x01, 0x00, 0x00}, 6);
  expect_length("jmp rax", {0xFF, 0xE0}, 2);
  expect_length("jmp qword ptr [rax*8+0x1000]", {0xFF, 0x24, 0xC5, 0x00, 0x10, 0x00, 0x00}, 7);
}

TEST_CASE("x86_64 length: legacy prefixes", "[x86_64][insn_length]") {
  expect_length("lock add dword ptr [rdi], 1", {0xF0, 0x83, 0x07, 0x01}, 4);
  expect_length("lock cmpxchg qword ptr [rdi], rcx", {0xF0, 0x48, 0x0F, 0xB1, 0x0F}, 5);
  expect_length("lock cmpxchg16b xmmword ptr [rdi]", {0xF0, 0x48, 0x0F, 0xC7, 0x0F}, 5);
  expect_length("rep movsb", {0xF3, 0xA4}, 2);
  expect_length("rep stosq", {0xF3, 0x48, 0xAB}, 3);
  expect_length("repne scasb", {0xF2, 0xAE}, 2);
  expect_length("mov eax, dword ptr es:[rdi]", {0x26, 0x8B, 0x07}, 3);
  expect_length("mov eax, dword ptr gs:[rax]", {0x65, 0x8B, 0x00}, 3);
  expect_length("mov rax, qword ptr fs:[0x28]", {0x64, 0x48, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00}, 9);
  // A REX that does not directly precede the opcode is ignored: 66 is in effect, imm16.
  expect_length("! 48 66 mov ax, 0x1234 (REX ignored)", {0x48, 0x66, 0xB8, 0x34, 0x12}, 5);
  expect_length("! two REX, the last one counts", {0x40, 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8}, 11);
}

TEST_CASE("x86_64 length: multi-byte nops", "[x86_64][insn_length]") {
  expect_length("nop dword ptr [rax]", {0x0F, 0x1F, 0x00}, 3);
  expect_length("~ nop dword ptr [rax+0] (disp8)", {0x0F, 0x1F, 0x40, 0x00}, 4);
  expect_length("~ nop dword ptr [rax+rax*1+0] (disp8)", {0x0F, 0x1F, 0x44, 0x00, 0x00}, 5);
  expect_length("~ nop word ptr [rax+rax*1+0] (disp8)", {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00}, 6);
  expect_length("~ nop dword ptr [rax+0] (disp32)", {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00}, 7);
  expect_length("~ nop dword ptr [rax+rax*1+0] (disp32)", {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 8);
  expect_length("~ nop word ptr cs:[rax+rax*1+0] (disp32)",
                {0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 10);
  expect_length("~ data16 nop word ptr cs:[rax+rax*1+0] (disp32)",
                {0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 11);
}

TEST_CASE("x86_64 length: SSE, three-byte maps, SSE4a and 3DNow!", "[x86_64][insn_length]") {
  expect_length("movaps xmm0, xmmword ptr [rsi]", {0x0F, 0x28, 0x06}, 3);
  expect_length("movaps xmm9, xmm1", {0x44, 0x0F, 0x28, 0xC9}, 4);
  expect_length("pshufd xmm0, xmm1, 0x1b", {0x66, 0x0F, 0x70, 0xC1, 0x1B}, 5);
  expect_length("psrldq xmm1, 8", {0x66, 0x0F, 0x73, 0xD9, 0x08}, 5);
  expect_length("shufps xmm0, xmm1, 0x44", {0x0F, 0xC6, 0xC1, 0x44}, 4);
  expect_length("bt eax, 3", {0x0F, 0xBA, 0xE0, 0x03}, 4);
  expect_length("shld rax, rbx, 4", {0x48, 0x0F, 0xA4, 0xD8, 0x04}, 5);
  expect_length("rdrand rax", {0x48, 0x0F, 0xC7, 0xF0}, 4);
  expect_length("popcnt rax, rbx", {0xF3, 0x48, 0x0F, 0xB8, 0xC3}, 5);
  expect_length("pshufb xmm0, xmm1", {0x66, 0x0F, 0x38, 0x00, 0xC1}, 5);
  expect_length("pshufb xmm0, xmmword ptr [rdi+0x40]", {0x66, 0x0F, 0x38, 0x00, 0x47, 0x40}, 6);
  expect_length("crc32 eax, byte ptr [rsi]", {0xF2, 0x0F, 0x38, 0xF0, 0x06}, 5);
  expect_length("pextrd eax, xmm1, 2", {0x66, 0x0F, 0x3A, 0x16, 0xC8, 0x02}, 6);
  expect_length("roundss xmm0, xmm1, 4", {0x66, 0x0F, 0x3A, 0x0A, 0xC1, 0x04}, 6);
  expect_length("roundss xmm0, dword ptr [rip+0x10], 4", {0x66, 0x0F, 0x3A, 0x0A, 0x05, 0x10, 0x00, 0x00, 0x00, 0x04},
                10);
  expect_length("vmread rax, rbx", {0x0F, 0x78, 0xD8}, 3);
  expect_length("extrq xmm0, 8, 4", {0x66, 0x0F, 0x78, 0xC0, 0x08, 0x04}, 6);
  expect_length("insertq xmm0, xmm1, 8, 4", {0xF2, 0x0F, 0x78, 0xC1, 0x08, 0x04}, 6);
  expect_length("femms", {0x0F, 0x0E}, 2);
  expect_length("pfadd mm0, mm1", {0x0F, 0x0F, 0xC1, 0x9E}, 4);
  expect_length("pfadd mm0, qword ptr [rax+8]", {0x0F, 0x0F, 0x40, 0x08, 0x9E}, 5);
}

TEST_CASE("x86_64 length: VEX", "[x86_64][insn_length]") {
  expect_length("vaddps ymm0, ymm1, ymm2", {0xC5, 0xF4, 0x58, 0xC2}, 4);
  expect_length("vaddps xmm0, xmm1, xmmword ptr [rax+0x10]", {0xC5, 0xF0, 0x58, 0x40, 0x10}, 5);
  expect_length("vzeroupper", {0xC5, 0xF8, 0x77}, 3);
  expect_length("vpshufd xmm0, xmm1, 0x1b", {0xC5, 0xF9, 0x70, 0xC1, 0x1B}, 5);
  expect_length("vcmpps ymm0, ymm1, ymm2, 1", {0xC5, 0xF4, 0xC2, 0xC2, 0x01}, 5);
  expect_length("vaddps xmm8, xmm9, xmm10", {0xC4, 0x41, 0x30, 0x58, 0xC2}, 5);
  expect_length("vpshufb ymm0, ymm1, ymm2", {0xC4, 0xE2, 0x75, 0x00, 0xC2}, 5);
  expect_length("vfmadd231ps ymm0, ymm1, ymmword ptr [rdi+rcx*4+0x20]", {0xC4, 0xE2, 0x75, 0xB8, 0x44, 0x8F, 0x20}, 7);
  expect_length("andn rax, rbx, rcx", {0xC4, 0xE2, 0xE0, 0xF2, 0xC1}, 5);
  expect_length("vpermq ymm0, ymm1, 0x1b", {0xC4, 0xE3, 0xFD, 0x00, 0xC1, 0x1B}, 6);
  expect_length("vpermq ymm0, ymmword ptr [rip+0x10], 0x1b",
                {0xC4, 0xE3, 0xFD, 0x00, 0x05, 0x10, 0x00, 0x00, 0x00, 0x1B}, 10);
  expect_length("rorx rax, rbx, 5", {0xC4, 0xE3, 0xFB, 0xF0, 0xC3, 0x05}, 6);
}

TEST_CASE("x86_64 length: EVEX", "[x86_64][insn_length]") {
  expect_length("vaddps zmm0, zmm1, zmm2", {0x62, 0xF1, 0x74, 0x48, 0x58, 0xC2}, 6);
  // disp8*N: +0x40 is a one-byte displacement of 1 (N = 64), +0x44 needs disp32.
  expect_length("vaddps zmm0, zmm1, zmmword ptr [rax+0x40]", {0x62, 0xF1, 0x74, 0x48, 0x58, 0x40, 0x01}, 7);
  expect_length("vaddps zmm0, zmm1, zmmword ptr [rax+0x44]",
                {0x62, 0xF1, 0x74, 0x48, 0x58, 0x80, 0x44, 0x00, 0x00, 0x00}, 10);
  expect_length("vaddps zmm0, zmm1, zmmword ptr [eax]", {0x67, 0x62, 0xF1, 0x74, 0x48, 0x58, 0x00}, 7);
  expect_length("vpshufd zmm0, zmm1, 0x1b", {0x62, 0xF1, 0x7D, 0x48, 0x70, 0xC1, 0x1B}, 7);
  expect_length("vpermb zmm0, zmm1, zmm2", {0x62, 0xF2, 0x75, 0x48, 0x8D, 0xC2}, 6);
  expect_length("vpternlogd zmm0, zmm1, zmm2, 0xff", {0x62, 0xF3, 0x75, 0x48, 0x25, 0xC2, 0xFF}, 7);
  expect_length("vaddph zmm0, zmm1, zmm2", {0x62, 0xF5, 0x74, 0x48, 0x58, 0xC2}, 6);
  expect_length("vfmadd132ph zmm0, zmm1, zmm2", {0x62, 0xF6, 0x75, 0x48, 0x98, 0xC2}, 6);
}

TEST_CASE("x86_64 length: AMD XOP", "[x86_64][insn_length]") {
  expect_length("vprotd xmm5, xmm4, 0x0e", {0x8F, 0xE8, 0x78, 0xC2, 0xEC, 0x0E}, 6);
  expect_length("vfrczps xmm1, xmm2", {0x8F, 0xE9, 0x78, 0x80, 0xCA}, 5);
  expect_length("~ bextr eax, ecx, 0x4030201", {0x8F, 0xEA, 0x78, 0x10, 0xC1, 0x01, 0x02, 0x03, 0x04}, 9);
  expect_length("~ vpmacsww xmm7, xmm10, [rdx+0x60], xmm13", {0x8F, 0xE8, 0x28, 0x95, 0x7A, 0x60, 0xDA}, 7);
}

TEST_CASE("x86_64 length: opcodes invalid in 64-bit mode", "[x86_64][insn_length]") {
  for (const std::uint8_t opcode : {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37,
                                    0x3F, 0x60, 0x61, 0x82, 0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}) {
    INFO("opcode " << static_cast<int>(opcode));
    expect_invalid("one-byte opcode", {opcode, 0x00, 0x00});
  }
  for (const std::uint8_t opcode : {0x04, 0x0A, 0x0C, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3B, 0x3F, 0x7A, 0x7B}) {
    INFO("opcode 0F " << static_cast<int>(opcode));
    expect_invalid("two-byte opcode", {0x0F, opcode, 0x00});
  }
  expect_invalid("82 is not an alias of 80 in 64-bit mode", {0x82, 0xC0, 0x01});
  expect_invalid("8F /4 is not pop (and map 0 is no XOP map)", {0x8F, 0x20});
  expect_invalid("XOP map 0B", {0x8F, 0xEB, 0x78, 0x80, 0xCA});
  expect_invalid("66 before XOP", {0x66, 0x8F, 0xE9, 0x78, 0x80, 0xCA});
}

TEST_CASE("x86_64 length: malformed VEX/EVEX", "[x86_64][insn_length]") {
  expect_invalid("66 before VEX", {0x66, 0xC5, 0xF4, 0x58, 0xC2});
  expect_invalid("F3 before VEX", {0xF3, 0xC4, 0xE3, 0xFD, 0x00, 0xC1, 0x1B});
  expect_invalid("F2 before EVEX", {0xF2, 0x62, 0xF1, 0x74, 0x48, 0x58, 0xC2});
  expect_invalid("lock before EVEX", {0xF0, 0x62, 0xF1, 0x74, 0x48, 0x58, 0xC2});
  expect_invalid("REX before VEX", {0x48, 0xC5, 0xF4, 0x58, 0xC2});
  expect_invalid("VEX3 map 0", {0xC4, 0xE0, 0x75, 0x00, 0xC2});
  expect_invalid("VEX3 map 4", {0xC4, 0xE4, 0x75, 0x00, 0xC2});
  expect_invalid("VEX3 map 5 (EVEX-only map)", {0xC4, 0xE5, 0x74, 0x58, 0xC2});
  expect_invalid("EVEX map 0", {0x62, 0xF0, 0x74, 0x48, 0x58, 0xC2});
  expect_invalid("EVEX map 4 (APX, unsupported)", {0x62, 0xF4, 0x74, 0x48, 0x58, 0xC2});
  expect_invalid("EVEX map 7", {0x62, 0xF7, 0x74, 0x48, 0x58, 0xC2});
  // Segment and 67 prefixes are fine before VEX/EVEX.
  expect_length("vaddps ymm0, ymm1, ymmword ptr fs:[rax]", {0x64, 0xC5, 0xF4, 0x58, 0x00}, 5);
}

TEST_CASE("x86_64 length: the 15-byte limit and truncation", "[x86_64][insn_length]") {
  expect_length("! 14 prefixes + nop",
                {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90}, 15);
  expect_length("~ data16 x6 cs nop word ptr [rax+rax*1+0] (disp32)",
                {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}, 15);
  expect_length("lock add qword ptr cs:[rax+rbx*1+0x12345678], 0x12345678",
                {0x2E, 0xF0, 0x48, 0x81, 0x84, 0x18, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12}, 14);

  // 16 bytes: architecturally #GP even though every byte decodes.
  const std::uint8_t sixteen_prefixes[] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                           0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90};
  REQUIRE(instruction_length(sixteen_prefixes, sizeof sixteen_prefixes) == 0);
  REQUIRE(instruction_length(sixteen_prefixes + 1, sizeof sixteen_prefixes - 1) == 0);  // 15+nop
  REQUIRE(instruction_length(sixteen_prefixes + 2, sizeof sixteen_prefixes - 2) == 15);
  const std::uint8_t too_long[] = {0x26, 0x66, 0x67, 0xF0, 0x48, 0x81, 0x84, 0x18,
                                   0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12};
  REQUIRE(instruction_length(too_long, sizeof too_long) == 0);
  REQUIRE(instruction_length(too_long + 1, sizeof too_long - 1) == 15);

  // Edge cases of the buffer itself.
  const std::uint8_t nop[] = {0x90};
  REQUIRE(instruction_length(nop, 0) == 0);
  REQUIRE(instruction_length(nullptr, 0) == 0);
  const std::uint8_t only_prefixes[] = {0x66, 0xF3, 0x48};
  REQUIRE(instruction_length(only_prefixes, sizeof only_prefixes) == 0);
  const std::uint8_t imm64[15] = {0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8};
  REQUIRE(instruction_length(imm64) == 10);  // default `available` is 15
  REQUIRE(instruction_length(imm64, 9) == 0);
}
