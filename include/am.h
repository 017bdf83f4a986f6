/*
 * am.h — Abstract Machine's interface (TRM, IOE, CTE, VME, MPE), for kernels written in C11
 * (or C++) against cte. An AM kernel builds unchanged: link the CMake target cte::am.
 * docs/AM.md lists every function with its status on each platform.
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

/* VME's address space and map() permissions (AM's names; see vme_init). */
typedef struct {
  int pgsize;
  Area area;
  void *ptr;
} AddrSpace;
#define MMAP_NONE 0x00000000
#define MMAP_READ 0x00000001
#define MMAP_WRITE 0x00000002

#if defined(__x86_64__)
struct Context {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip, rsp, rflags;
  uint64_t vector;                         /* trap vector: 0x81 yield, 0x80 syscall, 32 timer, ... */
  unsigned char cte_private[720 - 19 * 8]; /* the rest of cte's frame (FPU state included) */
} __attribute__((aligned(16)));
/* Each field and the member of cte's x86_64::Frame it is (checked field by field in am.cpp). */
#define CTE_AM_CONTEXT_FIELDS(field)                                                                              \
  field(rax, rax) field(rbx, rbx) field(rcx, rcx) field(rdx, rdx) field(rsi, rsi) field(rdi, rdi) field(rbp, rbp) \
      field(r8, r8) field(r9, r9) field(r10, r10) field(r11, r11) field(r12, r12) field(r13, r13) field(r14, r14) \
          field(r15, r15) field(rip, rip) field(rsp, rsp) field(rflags, rflags) field(vector, vector)
#define GPR1 rax
#define GPR2 rdi
#define GPR3 rsi
#define GPR4 rdx
#define GPRx rax
#elif defined(__riscv) && __riscv_xlen == 64
struct Context {
  uintptr_t gpr[32];                      /* gpr[n] = xn */
  uintptr_t mepc, mcause, mtval, mstatus; /* sepc/scause/... in S-mode; mstatus is 0 hosted */
  unsigned char cte_private[608 - 36 * 8];
} __attribute__((aligned(16)));
/* Each field and the member of cte's riscv64::Frame it is (checked field by field in am.cpp). */
#define CTE_AM_CONTEXT_FIELDS(field) \
  field(gpr, x) field(mepc, pc) field(mcause, cause) field(mtval, tval) field(mstatus, status)
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
/* Each field and the member of cte's aarch64::Frame it is (checked field by field in am.cpp). */
#define CTE_AM_CONTEXT_FIELDS(field) \
  field(x, x) field(sp, sp) field(elr, pc) field(spsr, pstate) field(esr, esr) field(far, far)
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

/* IOE: the device registers are in amdev.h. ioe_init is true (the devices need no set-up);
 * reading or writing a register the platform does not implement is a fatal error. */
bool ioe_init(void);
void ioe_read(int reg, void *buf);
void ioe_write(int reg, void *buf);
#include <amdev.h>

/* CTE. kcontext never returns NULL: a stack smaller than the platform's minimum is a fatal
 * error naming both sizes. */
bool cte_init(Context *(*handler)(Event ev, Context *ctx));
void yield(void);
bool ienabled(void);
void iset(bool enable);
Context *kcontext(Area kstack, void (*entry)(void *), void *arg);

/* VME: cte has no user mode or page tables yet, so vme_init returns false on every platform;
 * the other calls are then fatal errors (as calling them without a successful vme_init). */
bool vme_init(void *(*pgalloc)(int), void (*pgfree)(void *));
void protect(AddrSpace *as);
void unprotect(AddrSpace *as);
void map(AddrSpace *as, void *vaddr, void *paddr, int prot);
Context *ucontext(AddrSpace *as, Area kstack, void *entry);

/* MPE: one CPU. mpe_init runs entry on it and does not return (entry returning is fatal). */
bool mpe_init(void (*entry)());
int cpu_count(void);
int cpu_current(void);
int atomic_xchg(int *addr, int newval);

#ifdef __cplusplus
}
#endif

#endif /* CTE_AM_H */
