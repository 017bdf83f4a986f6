// The x86_64 pc board's cases that end the run: a double fault is a clear fatal report (never a
// silent reset), the overflowed thread cannot be resumed, a fault before cte_init and inside
// the handler are reported, and main's return value is the run's exit status (isa-debug-exit
// and qemu-run's mapping). One image per case: the build defines CTE_PC_FATAL_CASE as the
// name of the function main runs.

#include <cte/cte.hpp>
#include <cte/guarded_stack.hpp>
#include <cte/protected_page.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support/run_off_the_stack.hpp"

#if !defined(CTE_PC_FATAL_CASE)
#error "define CTE_PC_FATAL_CASE as one of the case functions"
#endif

namespace cte_pc_fatal {

// A real #DF: the general IST stack points into an inaccessible page, so delivering the #UD
// faults (#PF), and delivering that #PF faults again.
int double_fault() {
  static cte::ProtectedPage page;
  if (!page.valid()) return 2;
  cte::x86_64::pc::task_state.ist[cte::x86_64::pc::ist::general - 1] =
      reinterpret_cast<std::uintptr_t>(page.area().end);
  cte_test_illegal_instruction();
  cte::putstr("double-fault: the #UD returned (bug)\n");
  return 0;
}

cte::Context *boot = nullptr;
cte::Context *thread = nullptr;
int overflow_resume() {
  static cte::GuardedStack stack(16 * 1024);
  if (!stack.valid()) return 2;
  thread = cte::kcontext(
      stack.area(), [](void *) { cte_test::run_off_the_stack(0); }, nullptr);
  cte::cte_init([](cte::Event event, cte::Context *context) -> cte::Context * {
    if (event.kind == cte::EventKind::yield) {
      boot = context;
      return thread;
    }
    return context;  // the overflowed thread: fatal
  });
  cte::yield();
  cte::putstr("overflow-resume: the dispatcher resumed the overflowed thread (bug)\n");
  return 0;
}

int fault_before_init() {
  cte_test_illegal_instruction();
  return 0;
}

int nested_page_fault() {
  static cte::ProtectedPage page;
  if (!page.valid()) return 2;
  cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
    cte::putdec(*static_cast<volatile std::uint64_t *>(page.area().start));  // not present
    return context;
  });
  cte::yield();
  return 0;
}

int main_returns_status() {
  cte::putstr("main-returns-status: returning 3\n");
  return 3;
}

}  // namespace cte_pc_fatal

int main() { return cte_pc_fatal::CTE_PC_FATAL_CASE(); }
