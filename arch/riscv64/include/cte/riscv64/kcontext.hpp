#pragma once
// riscv64 hosted kcontext: the frame that starts a thread at entry(arg) on a fresh stack, a
// voluntary frame resumed by cte_riscv64_restore_voluntary (a jump to entry).

#include <cte/area.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/kcontext_frame.hpp>
#include <cte/riscv64/trap_entry.hpp>

namespace cte::riscv64 {

// The thread-exit stub is cte_riscv64_thread_exit_trap; the cause is an ecall from U-mode, as
// every hosted voluntary trap records.
inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  return build_common_kcontext_frame(stack, entry, arg, &cte_riscv64_thread_exit_trap, cause::ecall_from_u);
}

}  // namespace cte::riscv64
