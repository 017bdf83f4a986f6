// The one translation unit of cte::am: Abstract Machine's C interface (include/am.h) on top of
// cte. Compiled into the AM program itself (cte::am is an INTERFACE target with this source),
// so nothing of ours is ever linked as a library.

#include <am.h>

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>
#include <cte/detail/format.hpp>

// The C Context is cte's frame, seen through AM's field names.
static_assert(sizeof(Context) == sizeof(cte::Context), "am.h's Context must be cte's frame");
static_assert(alignof(Context) == alignof(cte::Context));
// Field by field: every field am.h names is the frame member it stands for, at the same offset
// and of the same size.
#define CTE_AM_CHECK_FIELD(am_field, frame_field)                                                  \
  static_assert(offsetof(Context, am_field) == offsetof(cte::TargetIsa::Frame, frame_field),       \
                "am.h: Context::" #am_field " is not at the offset of the frame's " #frame_field); \
  static_assert(sizeof(Context::am_field) == sizeof(cte::TargetIsa::Frame::frame_field),           \
                "am.h: Context::" #am_field " does not have the size of the frame's " #frame_field);
CTE_AM_CONTEXT_FIELDS(CTE_AM_CHECK_FIELD)
#undef CTE_AM_CHECK_FIELD

// heap, mainargs, the call of the AM program's main(const char *), and the platform's clocks
// and console input (cte::am::platform_*) come from the platform.
#include <cte/am/platform_start.hpp>

#include <cte/am/calendar.hpp>

namespace cte::am {

// cte's event kinds onto AM's (docs/AM.md has the table).
using AmEvent = ::Event;  // in C++ AM's enumerators live in the struct's scope

constexpr decltype(AmEvent::event) am_event_kind(EventKind kind) {
  switch (kind) {
    case EventKind::none: return AmEvent::EVENT_NULL;
    case EventKind::yield: return AmEvent::EVENT_YIELD;
    case EventKind::syscall: return AmEvent::EVENT_SYSCALL;
    case EventKind::page_fault: return AmEvent::EVENT_PAGEFAULT;
    case EventKind::irq_timer: return AmEvent::EVENT_IRQ_TIMER;
    case EventKind::irq_external:
    case EventKind::irq_software: return AmEvent::EVENT_IRQ_IODEV;
    case EventKind::access_fault:
    case EventKind::misaligned:
    case EventKind::illegal_instruction:
    case EventKind::breakpoint:
    case EventKind::divide_by_zero:
    case EventKind::floating_point:
    case EventKind::stack_overflow:
    case EventKind::error: return AmEvent::EVENT_ERROR;
  }
  return AmEvent::EVENT_ERROR;
}

inline ::Context *(*user_handler)(::Event, ::Context *) = nullptr;
inline constexpr std::uint64_t tick_us = 10000;  // 100 Hz, as AM's platforms

inline cte::Context *forward(cte::Event event, cte::Context *context) {
  if (event.kind == EventKind::irq_timer) platform_on_tick();
  ::Event am_event{};
  am_event.event = am_event_kind(event.kind);
  am_event.cause = static_cast<std::uintptr_t>(event.cause);
  am_event.ref = event.ref;
  am_event.msg = event.msg;
  ::Context *next = user_handler(am_event, reinterpret_cast<::Context *>(context));
  return reinterpret_cast<cte::Context *>(next);
}

// A call this platform cannot honour, or a misuse AM leaves undefined: a fatal report naming
// the call.
[[noreturn]] inline void fatal_call(const char *call, const char *why) {
  detail::TextBuffer headline;
  headline.text(call).text(": ").text(why).text(" (platform ").text(TargetPlatform::name).text(", see docs/AM.md)");
  detail::fatal(headline.data());
}

[[noreturn]] inline void fatal_register(const char *call, int reg) {
  detail::TextBuffer why;
  why.text("device register ").dec(static_cast<std::uint64_t>(reg)).text(" is not implemented (amdev.h names it)");
  fatal_call(call, why.data());
}

// The AM_*_CONFIG register of a device this platform does not have: all zero, present = false.
template <class Config>
void report_absent(void *buf) {
  *static_cast<Config *>(buf) = Config{};
}

inline void read_register(int reg, void *buf) {
  switch (reg) {
    case AM_TIMER_CONFIG: *static_cast<AM_TIMER_CONFIG_T *>(buf) = {true, true}; return;  // every platform has both
    case AM_TIMER_UPTIME: static_cast<AM_TIMER_UPTIME_T *>(buf)->us = platform_uptime_us(); return;
    case AM_TIMER_RTC: {
      const CivilTime time = civil_time(platform_realtime_seconds());
      *static_cast<AM_TIMER_RTC_T *>(buf) = {time.year, time.month, time.day, time.hour, time.minute, time.second};
      return;
    }
    case AM_UART_CONFIG: *static_cast<AM_UART_CONFIG_T *>(buf) = {true}; return;
    case AM_UART_RX: {
      // As AM: 0xff (char -1) when no byte is waiting.
      char byte = static_cast<char>(0xff);
      platform_console_read(byte);
      static_cast<AM_UART_RX_T *>(buf)->data = byte;
      return;
    }
    case AM_INPUT_CONFIG: return report_absent<AM_INPUT_CONFIG_T>(buf);
    case AM_GPU_CONFIG: return report_absent<AM_GPU_CONFIG_T>(buf);
    case AM_AUDIO_CONFIG: return report_absent<AM_AUDIO_CONFIG_T>(buf);
    case AM_DISK_CONFIG: return report_absent<AM_DISK_CONFIG_T>(buf);
    case AM_NET_CONFIG: return report_absent<AM_NET_CONFIG_T>(buf);
    default: break;
  }
  fatal_register("ioe_read", reg);
}

inline void write_register(int reg, void *buf) {
  if (reg == AM_UART_TX) return platform_putch(static_cast<AM_UART_TX_T *>(buf)->data);
  fatal_register("ioe_write", reg);
}

}  // namespace cte::am

extern "C" {

// --- TRM
void putch(char ch) { cte::am::platform_putch(ch); }
void halt(int code) { cte::halt(code); }

// --- IOE
bool ioe_init(void) { return true; }
void ioe_read(int reg, void *buf) { cte::am::read_register(reg, buf); }
void ioe_write(int reg, void *buf) { cte::am::write_register(reg, buf); }

// --- CTE
// As on Abstract Machine, the platform's timer ticks once cte_init has run (every
// cte::am::tick_us); a kernel sees EVENT_IRQ_TIMER as soon as it enables interrupts.
bool cte_init(Context *(*handler)(Event, Context *)) {
  if (!handler) return false;
  cte::am::user_handler = handler;
  if (!cte::cte_init(cte::am::forward)) return false;
  return cte::timer::start(cte::am::tick_us);
}

void yield(void) { cte::yield(); }
bool ienabled(void) { return cte::ienabled(); }
void iset(bool enable) { cte::iset(enable); }

// AM kernels hand in any Area (a byte array in a union, say); cte wants 16-byte aligned ends,
// so the stack is trimmed inward to the nearest aligned bounds. AM's kcontext cannot fail, and
// AM kernels do not check its result: a stack cte cannot use is a fatal error here, at the
// call, naming both sizes.
Context *kcontext(Area kstack, void (*entry)(void *), void *arg) {
  if (!entry) cte::am::fatal_call("kcontext", "entry is NULL");
  constexpr std::uintptr_t mask = cte::stack_alignment - 1;
  const std::uintptr_t start = (reinterpret_cast<std::uintptr_t>(kstack.start) + mask) & ~mask;
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(kstack.end) & ~mask;
  const std::size_t size = end > start ? end - start : 0;
  if (!kstack.start || size < cte::kcontext_min_stack) {
    cte::detail::TextBuffer why;
    why.text("stack of ").dec(size).text(" bytes (16-byte aligned part of the Area) is smaller than the ");
    why.text("minimum of ").dec(cte::kcontext_min_stack).text(" bytes");
    cte::am::fatal_call("kcontext", why.data());
  }
  const cte::Area aligned{reinterpret_cast<void *>(start), reinterpret_cast<void *>(end)};
  return reinterpret_cast<Context *>(cte::kcontext(aligned, entry, arg));
}

// --- VME: cte has no user mode or page tables yet.
bool vme_init(void *(*)(int), void (*)(void *)) { return false; }
void protect(AddrSpace *) { cte::am::fatal_call("protect", "VME is not available (vme_init returned false)"); }
void unprotect(AddrSpace *) { cte::am::fatal_call("unprotect", "VME is not available (vme_init returned false)"); }
void map(AddrSpace *, void *, void *, int) {
  cte::am::fatal_call("map", "VME is not available (vme_init returned false)");
}
Context *ucontext(AddrSpace *, Area, void *) {
  cte::am::fatal_call("ucontext", "VME is not available (vme_init returned false)");
}

// --- MPE: cte runs a kernel on one CPU.
bool mpe_init(void (*entry)()) {
  entry();
  cte::am::fatal_call("mpe_init", "the entry function returned (it must not: it is the CPU's kernel)");
}
int cpu_count(void) { return 1; }
int cpu_current(void) { return 0; }
int atomic_xchg(int *addr, int newval) { return __atomic_exchange_n(addr, newval, __ATOMIC_SEQ_CST); }

}  // extern "C"
