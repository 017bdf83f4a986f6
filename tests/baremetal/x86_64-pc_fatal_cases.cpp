// The x86_64 pc board's own case that ends the run: a double fault is a clear fatal report
// (never a silent reset). (The cases every board shares, the pc's included: fatal_cases.cpp.)
// One image per case: the build defines CTE_PC_FATAL_CASE as the name of the function main runs.

#include <cte/cte.hpp>
#include <cte/protected_page.hpp>

#include <cstdint>

#include <trap_probes.hpp>

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

}  // namespace cte_pc_fatal

int main() { return cte_pc_fatal::CTE_PC_FATAL_CASE(); }
