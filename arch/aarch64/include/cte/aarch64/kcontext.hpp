#pragma once
// aarch64 hosted kcontext: the frame that starts a thread at entry(arg) on a fresh stack; its
// entry function returns into the hosted thread-exit stub.

#include <cte/aarch64/frame.hpp>
#include <cte/aarch64/kcontext_frame.hpp>
#include <cte/aarch64/trap_entry.hpp>
#include <cte/area.hpp>

namespace cte::aarch64 {

inline Frame *build_kcontext_frame(Area stack, void (*entry)(void *), void *arg) {
  return build_common_kcontext_frame(stack, entry, arg, thread_exit_return_address());
}

}  // namespace cte::aarch64
