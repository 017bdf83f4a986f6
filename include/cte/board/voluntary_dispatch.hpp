#pragma once
// The dispatcher a board's voluntary-trap stubs call (yield, syscall and thread exit are calls
// that save a voluntary frame recording the trap they replace: riscv64 an ecall, aarch64 an
// svc). The Event is what decoding that trap gives, from its raw cause, ref and voluntary_trap
// marker, without the ISA's decoder and without the platform's on_trap_entry (which has nothing
// to do for a call). Needs the runtime: the ports' dispatch headers include it after
// <cte/detail/runtime.hpp>.

#include <cstdint>

#include <cte/context.hpp>
#include <cte/detail/runtime.hpp>
#include <cte/voluntary_trap.hpp>

namespace cte::board {

[[gnu::always_inline]] inline TargetIsa::Frame *dispatch_voluntary_trap(TargetIsa::Frame *frame, TargetIsa::Word cause,
                                                                        std::uintptr_t ref, std::uint64_t marker) {
  Event event;
  event.cause = cause;
  event.ref = ref;
  decode_voluntary_trap(event, marker);
  detail::apply_library_state(event, *frame);
  return detail::dispatch_decoded_trap(frame, event);
}

}  // namespace cte::board
