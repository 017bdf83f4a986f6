#pragma once
// cte::loopback_irq — an external interrupt the kernel can cause itself, through the
// platform's own device and interrupt path, to exercise and test irq_external handling:
//   hosted            another host thread raises the process's external line
//                     (cte::hosted::ExternalLine), as a device or a VMM kick would
//   riscv64 virt      the 16550 UART's transmit-holding-register-empty interrupt, through
//                     the PLIC (source 10)
// The event is EventKind::irq_external with ref == source(). The line is level-triggered
// like a device's: the handler must call acknowledge() (it silences the device), or the
// interrupt is taken again as soon as interrupts are enabled.

#include <cstdint>

#include <cte/target_port.hpp>

namespace cte::loopback_irq {

// The payload (Event::ref) of the loopback interrupt on this platform.
inline std::uintptr_t source() { return TargetPlatform::loopback_irq_source(); }

// Makes the device raise its line. The interrupt is taken when interrupts are enabled, like
// any other; hosted, after another host thread delivers it (soon, not at once). False if the
// platform cannot raise it now (hosted: before cte_init).
inline bool raise() { return TargetPlatform::loopback_irq_raise(); }

// From the handler of the loopback event: the device lowers its line.
inline void acknowledge() { TargetPlatform::loopback_irq_acknowledge(); }

}  // namespace cte::loopback_irq
