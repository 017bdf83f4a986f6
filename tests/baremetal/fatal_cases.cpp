// Cases that end the run, on every board: stack overflow (reported, or resumed -> fatal) and
// misuse that the dispatcher reports as fatal (a trap inside the handler, ...). What a board
// alone can get wrong is in BOARD_fatal_cases.cpp (the pc: a double fault). One image per case: the build
// defines CTE_BM_FATAL_CASE as the name of the function below that main runs; ctest checks
// the image's output and QEMU's exit status (the board exits with status 1 after a fatal
// report, with main's return value otherwise).

#include <cte/cte.hpp>

#include <cstdint>

#include <trap_probes.hpp>

#include "support.hpp"
#include "support/run_off_the_stack.hpp"

#if !defined(CTE_BM_FATAL_CASE)
#error "define CTE_BM_FATAL_CASE as one of the case functions"
#endif

// A named namespace: the cases this image does not run are not "unused".
namespace cte_bm_fatal {

void say(const char *text) { cte::putstr(text); }

// --- stack overflow ---------------------------------------------------------------------

// The thread's stack with canaries right below and above it (members keep their order).
struct GuardedByCanaries {
  static constexpr unsigned char canary = 0xc5;
  alignas(16) unsigned char below[4096];
  cte_test::Stack<16 * 1024> stack;
  unsigned char above[64];
  void fill() {
    for (auto &byte : below) byte = canary;
    for (auto &byte : above) byte = canary;
  }
  bool intact() const {
    for (auto byte : below)
      if (byte != canary) return false;
    for (auto byte : above)
      if (byte != canary) return false;
    return true;
  }
};
GuardedByCanaries guarded;

cte::Context *boot = nullptr;
cte::Context *thread = nullptr;
bool resume_the_overflowed_thread = false;
bool expect_guard_fault = false;  // riscv64 M-mode PMP guard: the event's cause is the faulting store
struct {
  bool seen = false;
  bool names_thread = false;
  bool cause_right = false;
  bool sp_in_reserve = false;
} report;

cte::Context *overflow_handler(cte::Event event, cte::Context *context) {
  if (event.kind == cte::EventKind::yield) {
    boot = context;
    return thread;
  }
  if (event.kind == cte::EventKind::syscall) return context;  // the probing recursion's syscalls
  if (event.kind != cte::EventKind::stack_overflow) {
    say("unexpected event: ");
    say(cte::to_string(event.kind));
    say("\n");
    cte::halt(3);
  }
  const auto start = reinterpret_cast<std::uintptr_t>(guarded.stack.area().start);
  const std::uintptr_t reserve_end = start + cte::TargetPlatform::stack_reserve;
  report.seen = true;
  report.names_thread = context->stack_start() == start &&
                        context->stack_end() == reinterpret_cast<std::uintptr_t>(guarded.stack.area().end);
  report.sp_in_reserve = context->sp() >= start && context->sp() < reserve_end + sizeof(cte::TargetIsa::Frame);
  if (expect_guard_fault)
    report.cause_right = cte_test::is_guard_fault(event) && event.ref >= start && event.ref < reserve_end;
  else
    report.cause_right = event.cause == cte::TargetPlatform::Mode::syscall_cause;
  if (resume_the_overflowed_thread) return context;  // fatal
  return boot;                                       // abandon the thread
}

// The same, with a system call at every level: a trap that finds the stack exhausted.
[[gnu::noinline]] int probe_the_stack(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  cte::syscall(1);
  if (depth >= cte_test::recursion_limit) return frame[0];
  return probe_the_stack(depth + 1) + frame[0];
}
void recursing_thread(void *) { cte_test::run_off_the_stack(0); }
void probing_thread(void *) { probe_the_stack(0); }

int run_overflow(void (*entry)(void *)) {
  guarded.fill();
  thread = cte::kcontext(guarded.stack.area(), entry, nullptr);
  cte::cte_init(overflow_handler);
  cte::yield();
  say("overflow: reported: ");
  say(report.seen ? "yes" : "NO");
  say(", names the thread's stack: ");
  say(report.names_thread ? "yes" : "NO");
  say(", cause and sp right: ");
  say(report.cause_right && report.sp_in_reserve ? "yes" : "NO");
  say(", memory around the stack intact: ");
  say(guarded.intact() ? "yes" : "NO");
  say("\n");
  return report.seen && report.names_thread && report.cause_right && report.sp_in_reserve && guarded.intact() ? 0 : 1;
}

// riscv64 M-mode: plain recursion; the PMP guard faults its first store into the stack reserve.
int overflow_guard() {
  if constexpr (!cte_test::machine_mode) {
    say("overflow-guard: does not apply here: no hardware guard on a plain stack (riscv64 S-mode: "
        "OpenSBI owns PMP; MMU boards guard GuardedStack pages only); an overflow is caught at the "
        "next trap (see overflow_trap)\n");
    return 0;
  }
  expect_guard_fault = true;
  return run_overflow(recursing_thread);
}

// Both modes: the trap-entry check (a system call finds no room for its frame).
int overflow_trap() { return run_overflow(probing_thread); }

// Resuming the overflowed thread is fatal: the guard in M-mode, the trap check in S-mode.
int overflow_resume() {
  resume_the_overflowed_thread = true;
  expect_guard_fault = cte_test::machine_mode;
  run_overflow(cte_test::machine_mode ? recursing_thread : probing_thread);
  say("overflow-resume: the dispatcher resumed the overflowed thread (bug)\n");
  return 0;
}

// --- misuse -------------------------------------------------------------------------------

int nested_illegal_instruction() {
  cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
    cte_test_illegal_instruction();  // the handler itself faults
    return context;
  });
  cte::yield();
  return 0;
}

int nested_access_fault() {
  cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
    // Nothing answers there (riscv64: physical address 0; aarch64: the unmapped first 2 MiB;
    // pc: above the identity-mapped 4 GiB).
    cte_test_load(reinterpret_cast<const void *>(cte_test::unbacked_address));
    return context;
  });
  cte::yield();
  return 0;
}

int nested_syscall() {
  cte::cte_init([](cte::Event, cte::Context *context) -> cte::Context * {
    cte::syscall(42);
    return context;
  });
  cte::yield();
  return 0;
}

int null_result() {
  cte::cte_init([](cte::Event, cte::Context *) -> cte::Context * { return nullptr; });
  cte::yield();
  return 0;
}

int yield_before_init() {
  cte::yield();
  return 0;
}

// The vector is installed at boot: a fault before cte_init is reported, not a silent hang.
int fault_before_init() {
  cte_test_illegal_instruction();
  return 0;
}

cte_test::Stack<16 * 1024> returning_stack;
cte::Context *returning_thread = nullptr;
int thread_return_resumed() {
  returning_thread = cte::kcontext(
      returning_stack.area(), [](void *) {}, nullptr);
  cte::cte_init([](cte::Event event, cte::Context *context) -> cte::Context * {
    if (event.kind == cte::EventKind::yield) return returning_thread;
    return context;  // resumes the finished thread: not allowed
  });
  cte::yield();
  return 0;
}

cte_test::Stack<16 * 1024> fast_stack;
cte::FastContext fast_boot, fast_thread;
int fast_thread_return() {
  cte::make_fast_context(
      fast_thread, fast_stack.area(), [](void *) {}, nullptr);
  cte::fast_switch(fast_boot, fast_thread);
  return 0;
}

// main's return value is QEMU's exit status (through the exit device).
int main_returns_status() {
  say("main-returns-status: returning 3\n");
  return 3;
}

}  // namespace cte_bm_fatal

int main() { return cte_bm_fatal::CTE_BM_FATAL_CASE(); }
