#pragma once
// The C++ side of the aarch64 bare-metal trap entries. The vector's: marks a frame saved in the
// reserved overflow frame as a stack overflow and hands it to the portable dispatcher; reports
// the entries that are not cte traps. The voluntary-trap stubs': their frame already records
// the svc they replace (overflow included). Needs the runtime, so the port header (after <cte/detail/runtime.hpp>)
// includes it, not the board header.

#include <cstdint>

#include <cte/aarch64/decode.hpp>
#include <cte/aarch64/exception_level/trap_scratch.hpp>
#include <cte/aarch64/exception_level/voluntary_entry.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/board/voluntary_dispatch.hpp>
#include <cte/context.hpp>
#include <cte/detail/format.hpp>
#include <cte/detail/runtime.hpp>

// Called by the vector with the frame it saved; returns the frame to resume.
extern "C" [[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_board_trap_dispatch(cte::aarch64::Frame *frame) {
  if (frame == &cte_aarch64_trap_scratch.overflow_frame) frame->library.state |= cte::frame_state::stack_overflow;
  return cte::detail::dispatch_trap(frame);
}

// Called by the voluntary-trap stubs of either level (syscall, thread exit; yield: below) with
// the voluntary frame they saved (voluntary_entry.hpp): the Event is what decoding its svc
// gives (the immediate is the voluntary_trap marker, also the ref).
extern "C" [[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_board_voluntary_dispatch(cte::aarch64::Frame *frame) {
  const std::uint64_t marker = cte::aarch64::esr::iss(frame->esr) & cte::aarch64::esr::imm16_mask;
  return cte::board::dispatch_voluntary_trap(frame, frame->esr, marker, marker);
}

// Called by the yield stubs: the same, with the svc known to be the yield's (the stub stored it).
extern "C" [[gnu::used]] inline cte::aarch64::Frame *cte_aarch64_board_yield_dispatch(cte::aarch64::Frame *frame) {
  return cte::board::dispatch_voluntary_trap(frame, cte::aarch64::svc_esr_of(cte::voluntary_trap::yield),
                                             cte::voluntary_trap::yield, cte::voluntary_trap::yield);
}

// Called by the vector for FIQ, SError and exceptions from a lower level (slot = the vector
// entry's index, 0-15): none of them is a cte trap.
extern "C" [[noreturn, gnu::used, gnu::cold]] inline void cte_aarch64_board_unexpected_trap(std::uint64_t slot,
                                                                                            std::uint64_t esr,
                                                                                            std::uint64_t elr) {
  static constexpr const char *kinds[] = {"synchronous exception", "IRQ", "FIQ", "SError"};
  static constexpr const char *origins[] = {"the current level on SP_EL0", "the current level on SP_ELx",
                                            "a lower level (AArch64)", "a lower level (AArch32)"};
  cte::detail::TextBuffer report;
  report.text("cte: fatal: unexpected ").text(kinds[slot % 4]).text(" from ").text(origins[slot / 4 % 4]);
  report.text(" (not a cte trap)\n  esr=").hex(esr).text(" elr=").hex(elr).text(" platform=");
  report.text(cte::TargetPlatform::name).text("\n");
  cte::TargetPlatform::report_write(report.data(), report.size());
  cte::TargetPlatform::terminate_failure();
}
