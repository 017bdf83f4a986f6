#pragma once
// The library's own voluntary traps, told apart by a marker in a word of the trap record that
// the trapping code cannot set: never by a register. So every value of the syscall-number
// register is a system call, and yield and a returning kcontext thread cannot be forged by a
// syscall number. Each ISA keeps the marker where its hardware would: x86_64 in the vector
// (int 0x80 + marker), riscv64 in the ecall's tval (the hart writes 0 there for ecall),
// aarch64 in the svc immediate (ESR ISS[15:0]).

#include <cstdint>

#include <cte/event.hpp>

namespace cte {

namespace voluntary_trap {
inline constexpr std::uint64_t syscall = 0;  // what a real ecall / svc #0 / int 0x80 records
inline constexpr std::uint64_t yield = 1;
inline constexpr std::uint64_t thread_exit = 2;  // a kcontext entry function returned
}  // namespace voluntary_trap

// Sets kind and msg of a voluntary trap's Event from its marker (cause and ref are the ISA's).
// An unknown marker is a system call: hardware only ever records 0.
template <class Event>
constexpr void decode_voluntary_trap(Event &event, std::uint64_t marker) {
  if (marker == voluntary_trap::yield) {
    event.kind = EventKind::yield;
    event.msg = "yield";
  } else if (marker == voluntary_trap::thread_exit) {
    event.kind = EventKind::error;
    event.msg = "kcontext thread returned from its entry function";
  } else {
    event.kind = EventKind::syscall;
    event.msg = "system call";
  }
}

}  // namespace cte
