/*
 * am.h — the Abstract Machine CTE and TRM interface, for kernels written in C11 (or C++)
 * against cte. An AM kernel builds unchanged: link the CMake target cte::am.
 *
 * Context is cte's own trap frame, seen through the field names AM kernels use; the GPR1..GPR4
 * and GPRx macros name the syscall registers of the ISA (GPR1 = syscall number, GPR2..GPR4 =
 * first arguments, GPRx = return value), so `c->GPRx = result;` works as in AM.
 */
#ifndef CTE_AM_H
#define CTE_AM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  void *start, *end;
} Area;

#if defined(__x86_64__)
struct Context {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip, rsp, rflags;
  uint64_t vector;                      /* trap vector: 0x81 yield, 0x80 syscall, 32 timer, ... */
  unsigned char cte_private[720 - 19 * 8]; /* the rest of cte's frame (FPU state included) */
} __attribute__((aligned(16)));
#define GPR1 rax
#define GPR2 rdi
#define GPR3 rsi
#define GPR4 rdx
#define GPRx rax
#elif defined(__riscv) && __riscv_xlen == 64
struct Context {
  uintptr_t gpr[32];                 /* gpr[n] = xn */
  uintptr_t mepc, mcause, mtval, mstatus; /* sepc/scause/... in S-mode; mstatus is 0 hosted */
  unsigned char cte_private[608 - 36 * 8];
} __attribute__((aligned(16)));
#define GPR1 gpr[17] /* a7 */
#define GPR2 gpr[10] /* a0 */
#define GPR3 gpr[11] /* a1 */
#define GPR4 gpr[12] /* a2 */
#define GPRx gpr[10] /* a0 */
#elif defined(__aarch64__)
struct Context {
  uint64_t x[31];
  uint64_t sp, elr, spsr, esr, far;
  unsigned char cte_private[864 - 36 * 8];
} __attribute__((aligned(16)));
#define GPR1 x[8]
#define GPR2 x[0]
#define GPR3 x[1]
#define GPR4 x[2]
#define GPRx x[0]
#else
#error "am.h: cte supports x86_64, riscv64 and aarch64"
#endif
typedef struct Context Context;

typedef struct {
  enum {
    EVENT_NULL = 0,
    EVENT_YIELD,
    EVENT_SYSCALL,
    EVENT_PAGEFAULT,
    EVENT_ERROR,
    EVENT_IRQ_TIMER,
    EVENT_IRQ_IODEV,
  } event;
  uintptr_t cause, ref;
  const char *msg;
} Event;

/* TRM */
extern Area heap;
void putch(char ch);
void halt(int code) __attribute__((__noreturn__));

/* CTE */
bool cte_init(Context *(*handler)(Event ev, Context *ctx));
void yield(void);
bool ienabled(void);
void iset(bool enable);
Context *kcontext(Area kstack, void (*entry)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* CTE_AM_H */
