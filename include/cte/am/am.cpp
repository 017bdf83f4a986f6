// The one translation unit of cte::am: Abstract Machine's C interface (include/am.h) on top of
// cte. Compiled into the AM program itself (cte::am is an INTERFACE target with this source),
// so nothing of ours is ever linked as a library.

#include <am.h>

#include <cstddef>
#include <cstdint>

#include <cte/cte.hpp>

// The C Context is cte's frame, seen through AM's field names.
static_assert(sizeof(Context) == sizeof(cte::Context), "am.h's Context must be cte's frame");
static_assert(alignof(Context) == alignof(cte::Context));

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
  ::Event am_event{};
  am_event.event = am_event_kind(event.kind);
  am_event.cause = static_cast<std::uintptr_t>(event.cause);
  am_event.ref = event.ref;
  am_event.msg = event.msg;
  ::Context *next = user_handler(am_event, reinterpret_cast<::Context *>(context));
  return reinterpret_cast<cte::Context *>(next);
}

}  // namespace cte::am

extern "C" {

void putch(char ch) { cte::putch(ch); }
void halt(int code) { cte::halt(code); }

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
// so the stack is trimmed inward to the nearest aligned bounds. Returns NULL if what is left
// is smaller than cte::kcontext_min_stack.
Context *kcontext(Area kstack, void (*entry)(void *), void *arg) {
  constexpr std::uintptr_t mask = cte::stack_alignment - 1;
  const std::uintptr_t start = (reinterpret_cast<std::uintptr_t>(kstack.start) + mask) & ~mask;
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(kstack.end) & ~mask;
  if (end <= start) return nullptr;
  const cte::Area aligned{reinterpret_cast<void *>(start), reinterpret_cast<void *>(end)};
  return reinterpret_cast<Context *>(cte::kcontext(aligned, entry, arg));
}

}  // extern "C"

// heap, mainargs and the call of the AM program's main(const char *) come from the platform.
#include <cte/am/platform_start.hpp>
