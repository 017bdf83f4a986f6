#pragma once
// The pc board's trap entry: ONE path for every vector. Each of the 256 IDT gates leads to a
// stub (16 bytes apart) that pushes a placeholder where the CPU pushes no error code, then the
// vector number, and jumps to the common entry; every gate uses an IST stack
// (descriptors.hpp). The common entry builds the complete Frame (every GPR, rip, rsp, rflags,
// the trap cause, CR2 for #PF, and the XSAVE state of every enabled component) below the
// interrupted stack pointer, off the IST stack, calls the dispatcher, and resumes the frame
// it returns. Every frame it saves is asynchronous (an `int` a program executes itself is
// saved whole too); cte's own voluntary traps (yield, syscall, thread exit) are calls that
// never come here (voluntary_entry.hpp). Resuming a frame is decided once, by its
// frame_state::asynchronous: cte_x86_64_pc_resume (below, iretq) or
// cte_x86_64_pc_resume_voluntary (voluntary_entry.hpp).
//
//   interrupted stack                                IST stack
//   +----------------------------+ <- S (rsp)        +--------------------+
//   | XSAVE header + AVX state   |  extension        | ss rsp rflags cs   | what the CPU
//   +----------------------------+ <- 64-aligned     | rip, error code    | pushed, copied
//   | Frame (fpu = XSAVE legacy) |                   | vector (the stub)  | into the Frame
//   +----------------------------+ <- F              +--------------------+
//   | dispatcher, handler        |
//   v                            v
//
// Frame placement (extended_frame.hpp, frame_below): below S, unless that puts the frame below
// the running kcontext thread's frame limit (its stack start plus the board's stack reserve)
// by at most overflow_window bytes: then the thread ran off its stack (typically into the
// unmapped guard page of a GuardedStack, a #PF that the IST stack lets the CPU deliver), the
// frame goes to TrapScratch::overflow (the dispatcher runs on the emergency stack below it),
// and the dispatcher marks it frame_state::stack_overflow. A frame far below the limit
// belongs to another stack (the boot stack, a fast-switch thread) and is saved there.
//
// Asynchronous resume: XRSTOR, an iretq frame written just below the Frame (interrupts are off, and NMI
// and #MC have their own stacks), every GPR loaded, iretq: rip, rsp and rflags (with the
// thread's IF) at once. The kernel is built -mno-red-zone: nothing below a thread's rsp is
// live when it traps, but the frame placement would leave it alone either way (it starts
// below S, and the iretq frame is below the Frame).
//
// #DF: reported as fatal on its own stack (never a silent reset).

#include <cstddef>
#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/asm.hpp>
#include <cte/x86_64/board/pc/descriptors.hpp>
#include <cte/x86_64/board/pc/extended_frame.hpp>
#include <cte/x86_64/board/pc/frame_cfi.hpp>
#include <cte/x86_64/frame.hpp>

namespace cte::x86_64::pc {

inline constexpr std::size_t emergency_stack_size = 16 * 1024;
// A frame that would lie below the thread's frame limit by at most this much is an overflow.
inline constexpr unsigned overflow_window_shift = 16;  // 64 KiB

struct TrapScratch {
  std::uint64_t frame_limit;  // lowest address a frame of the running thread may start at; 0: none
  alignas(xsave::alignment) unsigned char emergency_stack[emergency_stack_size];
  FrameSlot overflow;  // the Context of a thread that ran off its stack
};

// What the CPU and the stub leave on the IST stack, from the stack pointer up.
struct HardwareFrame {
  std::uint64_t vector;      // pushed by the stub
  std::uint64_t error_code;  // pushed by the CPU, or the stub's placeholder 0
  std::uint64_t rip, cs, rflags, rsp, ss;
};

// Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30.
inline constexpr std::uint32_t error_code_vectors = 0x60227d00;
inline constexpr std::size_t stub_spacing = 16;
static_assert(frame_state::asynchronous < 0x100, "tested with testb");
// The iretq frame resume writes below the Frame: rip, cs, rflags, rsp, ss.
inline constexpr std::size_t iret_frame_size = 5 * 8;

}  // namespace cte::x86_64::pc

extern "C" {
[[gnu::used]] inline cte::x86_64::pc::TrapScratch cte_x86_64_pc_trap_scratch;
void cte_x86_64_pc_vector_stubs();
[[noreturn]] void cte_x86_64_pc_resume(cte::x86_64::Frame *frame);
[[noreturn]] void cte_x86_64_pc_resume_voluntary(cte::x86_64::Frame *frame);
// cte's voluntary traps (voluntary_entry.hpp) as functions: calls into code the compiler cannot
// see, so it assumes the handler (and any thread it switches to) may have read and written
// every variable, as it may have.
void cte_x86_64_pc_yield();
std::uint64_t cte_x86_64_pc_syscall(std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::uint64_t a3,
                                    std::uint64_t a4, std::uint64_t a5, std::uint64_t number);
void cte_x86_64_pc_thread_exit();
// Defined in dispatch.hpp (next to the portable dispatcher they call).
cte::x86_64::Frame *cte_x86_64_pc_trap_dispatch(cte::x86_64::Frame *frame);
[[noreturn]] void cte_x86_64_pc_report_double_fault(const cte::x86_64::pc::HardwareFrame *frame);
}

namespace cte::x86_64::pc {

#define CTE_X86_64_PC_OFFSET_(name, NAME) [name] "i"(offsetof(Frame, name)),
#define CTE_X86_64_PC_STORE_(name, NAME) "  mov %%" #name ", %c[" #name "](%%rax)\n"
#define CTE_X86_64_PC_LOAD_(name, NAME) "  mov %c[" #name "](%%rsp), %%" #name "\n"
// Every GPR but rax and rcx (the entry's scratch registers).
// clang-format off
#define CTE_X86_64_PC_REGISTERS_BUT_RAX_RCX(X) \
  X(rbx, RBX) X(rdx, RDX) X(rsi, RSI) X(rdi, RDI) X(rbp, RBP) X(r8, R8) X(r9, R9) X(r10, R10) X(r11, R11) \
  X(r12, R12) X(r13, R13) X(r14, R14) X(r15, R15)
// clang-format on

// Emits the stubs, the common entry, the asynchronous resume and the #DF entry.
// Never called: [[gnu::used]] makes every translation unit emit the COMDAT groups inside.
[[gnu::used]] inline void emit_trap_entry() {
  asm volatile(
      // --- The 256 stubs, stub_spacing bytes apart (the IDT points at each).
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_vector_stubs)
      "  .cfi_signal_frame\n"
      "  .cfi_undefined %%rip\n"
      "  .set .Lcte_pc_vector, 0\n"
      "  .rept %c[vectors]\n"
      "  .balign %c[spacing]\n"
      "  .if .Lcte_pc_vector >= 32\n"
      "  pushq $0\n"
      "  .elseif ((%c[error_code_vectors] >> .Lcte_pc_vector) & 1) == 0\n"
      "  pushq $0\n"
      "  .endif\n"
      "  pushq $.Lcte_pc_vector\n"
      "  .if .Lcte_pc_vector == %c[double_fault]\n"
      "  jmp cte_x86_64_pc_double_fault_entry\n"
      "  .else\n"
      "  jmp cte_x86_64_pc_trap_common\n"
      "  .endif\n"
      "  .set .Lcte_pc_vector, .Lcte_pc_vector + 1\n"
      "  .endr\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_vector_stubs) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: [vectors] "i"(vector_count), [spacing] "i"(stub_spacing), [error_code_vectors] "i"(error_code_vectors),
      [double_fault] "i"(vector::double_fault));
  asm volatile(
      // --- The common entry: rsp = the HardwareFrame on the IST stack, interrupts off. First
      // the frame's place and the GPRs.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_trap_common)
      "  .cfi_signal_frame\n"
      "  .cfi_undefined %%rip\n"
      "  push %%rax\n"
      "  push %%rcx\n"
      // rax = the frame's place below the interrupted rsp (frame_below).
      "  mov (16 + %c[hw_rsp])(%%rsp), %%rax\n"
      "  sub $%c[area_size], %%rax\n"
      "  and $-%c[xsave_alignment], %%rax\n"
      "  sub $%c[fpu], %%rax\n"
      // Overflow iff 0 < limit - frame <= window, i.e. (limit - frame - 1) >> shift == 0
      // (unsigned; a limit of 0 makes it huge: no limit).
      "  mov (cte_x86_64_pc_trap_scratch + %c[frame_limit])(%%rip), %%rcx\n"
      "  sub %%rax, %%rcx\n"
      "  sub $1, %%rcx\n"
      "  shr $%c[window_shift], %%rcx\n"
      "  jnz 1f\n"
      "  lea (cte_x86_64_pc_trap_scratch + %c[overflow_frame])(%%rip), %%rax\n"
      "1:\n"
      CTE_X86_64_PC_REGISTERS_BUT_RAX_RCX(CTE_X86_64_PC_STORE_)
      "  pop %%rcx\n"
      "  mov %%rcx, %c[rcx](%%rax)\n"
      "  pop %%rcx\n"
      "  mov %%rcx, %c[rax](%%rax)\n"
      "  jmp cte_x86_64_pc_trap_record\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_trap_common) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_PC_OFFSET_)
      [hw_rsp] "i"(offsetof(HardwareFrame, rsp)), [fpu] "i"(offsetof(Frame, fpu)),
      [area_size] "i"(xsave::area_size), [xsave_alignment] "i"(xsave::alignment),
      [frame_limit] "i"(offsetof(TrapScratch, frame_limit)),
      [overflow_frame] "i"(offsetof(TrapScratch, overflow) + offsetof(FrameSlot, frame)),
      [window_shift] "i"(overflow_window_shift));
  asm volatile(
      // --- The rest of the entry: rax = the frame, rsp = the HardwareFrame. The trap as the
      // CPU and the stub recorded it, the XSAVE state, the dispatcher, the resume.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_trap_record)
      "  .cfi_signal_frame\n"
      "  .cfi_undefined %%rip\n"
      "  mov %c[hw_vector](%%rsp), %%rcx\n"
      "  mov %%rcx, %c[vector](%%rax)\n"
      "  mov %c[hw_error_code](%%rsp), %%rcx\n"
      "  mov %%rcx, %c[error_code](%%rax)\n"
      "  mov %c[hw_rip](%%rsp), %%rcx\n"
      "  mov %%rcx, %c[rip](%%rax)\n"
      "  mov %c[hw_rflags](%%rsp), %%rcx\n"
      "  mov %%rcx, %c[rflags](%%rax)\n"
      "  mov %c[hw_rsp](%%rsp), %%rcx\n"
      "  mov %%rcx, %c[rsp](%%rax)\n"
      "  xor %%ecx, %%ecx\n"
      "  mov %%rcx, %c[payload](%%rax)\n"
      "  cmpq $%c[page_fault], %c[hw_vector](%%rsp)\n"
      "  jne 2f\n"
      "  mov %%cr2, %%rcx\n"
      "2:\n"
      "  mov %%rcx, %c[fault_address](%%rax)\n"
      // Off the IST stack: the frame is the stack from here on, and describes the interrupted
      // code to a debugger (a signal frame: CFA = its rsp, every register in its slot).
      "  mov %%rax, %%rsp\n"
      CTE_X86_64_PC_CFI_CFA_FROM_FRAME
      CTE_X86_64_PC_CFI_FRAME_REGISTERS
      // XSAVE keeps the bits of XSTATE_BV outside the components it saves, and XRSTOR of the
      // standard form faults unless those and bytes 8-23 of the header are 0: whatever the
      // stack held there before, they are 0 now.
      "  xor %%eax, %%eax\n"
      "  mov %%rax, (%c[frame_size] + %c[state_bv])(%%rsp)\n"
      "  mov %%rax, (%c[frame_size] + %c[comp_bv])(%%rsp)\n"
      "  mov %%rax, (%c[frame_size] + %c[comp_bv] + 8)(%%rsp)\n"
      "  mov $-1, %%eax\n"
      "  mov $-1, %%edx\n"
      "  xsave64 %c[fpu](%%rsp)\n"
      "  movq $%c[asynchronous], %c[library_state](%%rsp)\n"
      "  mov %%rsp, %%rdi\n"
      "  cld\n"  // the ABI's direction flag
      "  call cte_x86_64_pc_trap_dispatch\n"
      "  mov %%rax, %%rdi\n"
      "  jmp cte_x86_64_pc_resume\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_trap_record) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_PC_OFFSET_) CTE_X86_64_PC_CALLEE_SAVED_OPERANDS
      [hw_vector] "i"(offsetof(HardwareFrame, vector)), [hw_error_code] "i"(offsetof(HardwareFrame, error_code)),
      [hw_rip] "i"(offsetof(HardwareFrame, rip)), [hw_rflags] "i"(offsetof(HardwareFrame, rflags)),
      [hw_rsp] "i"(offsetof(HardwareFrame, rsp)), [vector] "i"(offsetof(Frame, vector)),
      [error_code] "i"(offsetof(Frame, error_code)), [fault_address] "i"(offsetof(Frame, fault_address)),
      [payload] "i"(offsetof(Frame, payload)), [fpu] "i"(offsetof(Frame, fpu)),
      [library_state] "i"(offsetof(Frame, library.state)), [asynchronous] "i"(frame_state::asynchronous),
      [frame_size] "i"(sizeof(Frame)), [comp_bv] "i"(offsetof(xsave::Header, comp_bv)),
      [state_bv] "i"(offsetof(xsave::Header, state_bv)), [page_fault] "i"(vector::page_fault));
  asm volatile(
      // --- cte_x86_64_pc_resume(rdi = the frame to resume): the one decision between the two
      // resumes; an asynchronous frame: XRSTOR, the iretq frame below the Frame, the GPRs, iretq.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_resume)
      "  .cfi_undefined %%rip\n"
      "  testb $%c[asynchronous], %c[library_state](%%rdi)\n"
      "  jz cte_x86_64_pc_resume_voluntary\n"
      "  mov %%rdi, %%rsp\n"
      "  mov $-1, %%eax\n"
      "  mov $-1, %%edx\n"
      "  xrstor64 %c[fpu](%%rsp)\n"
      "  mov %c[rip](%%rsp), %%rax\n"
      "  mov %%rax, -%c[iret_size](%%rsp)\n"
      "  movq $%c[code_selector], (8 - %c[iret_size])(%%rsp)\n"
      "  mov %c[rflags](%%rsp), %%rax\n"
      "  mov %%rax, (16 - %c[iret_size])(%%rsp)\n"
      "  mov %c[rsp](%%rsp), %%rax\n"
      "  mov %%rax, (24 - %c[iret_size])(%%rsp)\n"
      "  movq $%c[data_selector], (32 - %c[iret_size])(%%rsp)\n"
      CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_PC_LOAD_)
      "  lea -%c[iret_size](%%rsp), %%rsp\n"
      "  iretq\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_resume) CTE_ASM_REENTER_ENCLOSING_FRAME
      :: CTE_X86_64_GENERAL_REGISTERS(CTE_X86_64_PC_OFFSET_) CTE_X86_64_CONTROL_REGISTERS(CTE_X86_64_PC_OFFSET_)
      [fpu] "i"(offsetof(Frame, fpu)), [iret_size] "i"(iret_frame_size), [code_selector] "i"(selector::code),
      [data_selector] "i"(selector::data), [library_state] "i"(offsetof(Frame, library.state)), [asynchronous] "i"(frame_state::asynchronous));
  asm volatile(
      // --- #DF (its own IST stack): a fatal report, never a resume.
      CTE_ASM_LEAVE_ENCLOSING_FRAME CTE_ASM_FUNCTION_BEGIN(cte_x86_64_pc_double_fault_entry)
      "  .cfi_signal_frame\n"
      "  .cfi_undefined %rip\n"
      "  mov %rsp, %rdi\n"
      "  and $-16, %rsp\n"
      "  cld\n"
      "  call cte_x86_64_pc_report_double_fault\n"
      CTE_ASM_FUNCTION_END(cte_x86_64_pc_double_fault_entry) CTE_ASM_REENTER_ENCLOSING_FRAME);
}

#undef CTE_X86_64_PC_OFFSET_
#undef CTE_X86_64_PC_STORE_
#undef CTE_X86_64_PC_LOAD_
#undef CTE_X86_64_PC_REGISTERS_BUT_RAX_RCX

}  // namespace cte::x86_64::pc
