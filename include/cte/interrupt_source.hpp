#pragma once
// Where an interrupt comes from, independent of the ISA's numbering. Each port maps these to
// its own causes (x86_64 vectors, riscv64 scause, aarch64 interrupt IDs).

#include <cstdint>

namespace cte {

enum class InterruptSource : std::uint8_t {
  timer,     // the cte::timer tick
  external,  // a device line / another host thread's kick; the payload identifies it
  software,  // an inter-processor or self-raised software interrupt
};

}  // namespace cte
