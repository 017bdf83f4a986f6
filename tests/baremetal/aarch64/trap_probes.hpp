#pragma once
// aarch64 probes for the bare-metal tests: the hosted ones (plain instructions, no signals:
// tests/arch/aarch64/trap_probes.hpp) and what the board's cases add.

#include <cstdint>

#include <cte/cte.hpp>

#include "../../arch/aarch64/trap_probes.hpp"

extern "C" {
std::uint64_t cte_test_load(const void *address);  // ldr x0, [x0]
}

namespace cte_test {

// No riscv64 M-mode here: no hardware guard on a plain (non-GuardedStack) stack.
inline constexpr bool machine_mode = false;
// A store into an unmapped guard page: a data abort at the current level, translation fault.
inline bool is_guard_fault(const cte::Event &event) {
  namespace a64 = cte::aarch64;
  return a64::esr::exception_class(event.cause) == a64::exception_class::data_abort_same &&
         (a64::esr::iss(event.cause) & a64::abort_iss::write_not_read) != 0;
}

[[gnu::used]] inline void emit_board_trap_probes() {
  asm(".pushsection .text.cte_test_load,\"axG\",@progbits,cte_test_load,comdat\n"
      ".globl cte_test_load\n.hidden cte_test_load\n.type cte_test_load,@function\n.p2align 2\n"
      "cte_test_load:\n  ldr x0, [x0]\n  ret\n"
      ".size cte_test_load, .-cte_test_load\n.popsection\n");
}

}  // namespace cte_test
