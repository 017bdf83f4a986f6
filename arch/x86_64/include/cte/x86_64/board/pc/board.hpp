#pragma once
// The pc (QEMU q35, -cpu max) as a cte platform (`cte::TargetPlatform` of a bare-metal x86_64
// build): the kernel runs in long mode, ring 0. It provides what cte::Hosted provides (see
// include/cte/platform/hosted.hpp):
//   console and reports     COM1 (serial.hpp)
//   halt / fatal exit       isa-debug-exit (exit.hpp: the status mapping)
//   interrupt state         RFLAGS.IF; a Context's is the IF of its saved rflags
//   timer                   the LAPIC timer, periodic, calibrated against the PIT at boot
//   software interrupt      a LAPIC self-IPI (vector::software_interrupt)
//   external interrupts     the IOAPIC: input n is vector IoApic::external_vector(n); the
//                           event's ref is n (the GSI); the LAPIC's EOI follows the handler.
//                           The loopback line is COM1's transmit-empty interrupt, GSI 4
//   pages                   a 256 KiB pool of 4 KiB pages (cte/detail/page_pool.hpp), mapped
//                           by their own page table: an inaccessible page is not present, an
//                           access is #PF (page_fault, ref = CR2)
//   stack guard             GuardedStack's guard is an unmapped page below the stack; the
//                           trap entry reports a thread that runs into it as stack_overflow
//   FPU / SSE / AVX         on at boot; a Context holds the XSAVE state of every enabled
//                           component (extended_frame.hpp)
//   trap hooks              #BP's pc back at the int3 (as hosted), EOI of the tick and the
//                           self-IPI, the IOAPIC input of an external interrupt, the frame
//                           limit of the thread being resumed
// Interrupts pending while disabled need no software help: the LAPIC holds them (IRR) and
// the CPU takes them after the sti or the iretq that enables them.

#include <cstddef>
#include <cstdint>

#include <cte/board/code_range.hpp>
#include <cte/area.hpp>
#include <cte/board/interrupts_off.hpp>
#include <cte/board/platform_members.hpp>
#include <cte/context.hpp>
#include <cte/detail/page_pool.hpp>
#include <cte/x86_64/board/pc/cmos_clock.hpp>
#include <cte/x86_64/board/pc/cpu.hpp>
#include <cte/x86_64/board/pc/descriptors.hpp>
#include <cte/x86_64/board/pc/exit.hpp>
#include <cte/x86_64/board/pc/extended_frame.hpp>
#include <cte/x86_64/board/pc/ioapic.hpp>
#include <cte/x86_64/board/pc/lapic.hpp>
#include <cte/x86_64/board/pc/libc_shims.hpp>
#include <cte/x86_64/board/pc/paging.hpp>
#include <cte/x86_64/board/pc/pic.hpp>
#include <cte/x86_64/board/pc/pit.hpp>
#include <cte/x86_64/board/pc/serial.hpp>
#include <cte/x86_64/board/pc/trap_entry.hpp>
#include <cte/x86_64/frame.hpp>

// Bounds of the RAM left after the image (arch/boards/sections.ld).
extern "C" char cte_board_heap_start, cte_board_heap_end;

namespace cte::x86_64::pc {

struct Board : cte::board::PoolPages<Board>, cte::board::GuardPageBelowStack<Board> {
  using Pages = cte::detail::PagePool<paging::small_page, 64>;
  // The raw causes a kernel sees (the bench and the bare-metal tests check them): the vectors.
  struct Mode {
    static constexpr const char *name = "long";  // 64-bit mode, ring 0
    static constexpr std::uint64_t yield_cause = vector::yield;
    static constexpr std::uint64_t syscall_cause = vector::syscall;
    static constexpr std::uint64_t timer_cause = vector::timer;
    static constexpr std::uint64_t software_cause = vector::software_interrupt;
  };

  static constexpr const char *name = "x86_64-pc";
  // Lowest bytes of a kcontext stack a trap frame may not use: the dispatcher and the handler
  // run below the frame.
  static constexpr std::size_t stack_reserve = 2048;
  // Smallest kcontext stack: the reserve, and room for the handler below the Context.
  static constexpr std::size_t min_kstack_size = 6 * 1024;
  static_assert(min_kstack_size > stack_reserve + sizeof(Frame) + frame_extension_size);
  // The image's exit code after a fatal report.
  static constexpr int fatal_exit_status = 1;

  // --- console, exit
  static void console_write(const char *text, std::size_t size) { Com1::write(text, size); }
  static void report_write(const char *text, std::size_t size) { Com1::write(text, size); }
  [[noreturn]] static void halt(int code) { DebugExit::exit(code); }
  [[noreturn]] static void terminate_failure() { DebugExit::exit(fatal_exit_status); }
  static bool console_read(char &c) { return Com1::get(c); }

  // --- clocks: time since boot (the TSC, calibrated) and the wall clock (the CMOS clock)
  static std::uint64_t uptime_us() { return (read_tsc() - boot_tsc) * 1000 / calibration.tsc_per_ms; }
  static std::uint64_t realtime_ns() { return CmosClock::seconds_since_epoch() * 1000000000u; }
  static Area heap() { return {&cte_board_heap_start, &cte_board_heap_end}; }
  static bool code_readable(std::uintptr_t address, std::size_t size) { return board::code_readable(address, size); }

  // --- interrupt state: RFLAGS.IF.
  static bool interrupts_enabled() {
    std::uint64_t flags;
    asm volatile("pushfq\n\tpop %0" : "=r"(flags));
    return (flags & bits::rflags_interrupt_enable) != 0;
  }
  // sti enables interrupts after the next instruction: a pending one is taken at the nop,
  // inside this call.
  static void set_interrupts_enabled(bool enable) {
    if (enable)
      asm volatile("sti\n\tnop" ::: "memory");
    else
      asm volatile("cli" ::: "memory");
  }
  static bool interrupt_pending() { return LocalApic::any_requested(); }
  template <class F>
  static bool frame_interrupts_enabled(const F &frame) {
    return (frame.rflags & bits::rflags_interrupt_enable) != 0;
  }
  template <class F>
  static void set_frame_interrupts_enabled(F &frame, bool enabled) {
    frame.rflags = (frame.rflags & ~bits::rflags_interrupt_enable) | (enabled ? bits::rflags_interrupt_enable : 0);
  }

  // --- timer: changed with interrupts off.
  static bool timer_start(std::uint64_t period_us) {
    if (period_us == 0 || period_us > max_period_us) return false;
    std::uint64_t ticks = period_us * calibration.apic_ticks_per_ms / 1000;
    if (ticks == 0) ticks = 1;
    if (ticks > 0xffffffff) return false;
    cte::board::with_interrupts_disabled<Board>(
        [ticks] { LocalApic::start_periodic(static_cast<std::uint32_t>(ticks)); });
    return true;
  }
  static void timer_stop() { cte::board::with_interrupts_disabled<Board>(LocalApic::stop); }

  // --- pages for GuardedStack and ProtectedPage (the pool and the guard page below a stack:
  // the bases above)
  static bool set_page_access(Area pages, bool accessible) {
    if (!Pages::contains(pages.start) || area_size(pages) == 0) return false;
    return paging::set_present(reinterpret_cast<std::uintptr_t>(pages.start), area_size(pages), accessible);
  }

  // --- interrupts the kernel raises itself
  static std::uintptr_t loopback_irq_source() { return Com1::isa_irq; }
  static bool loopback_irq_raise() {
    Com1::set_transmit_interrupt(true);
    return true;
  }
  static void loopback_irq_acknowledge() { Com1::set_transmit_interrupt(false); }
  static void raise_software_interrupt() { LocalApic::send_self(vector::software_interrupt); }

  // --- hooks of the dispatcher
  static void on_init() {}  // the IDT is loaded at boot: traps before cte_init are reported too
  template <class F>
  static bool take_pending_interrupt(F &) {
    return false;  // the CPU takes it after the iretq (see above)
  }
  // The IOAPIC input in service may interrupt again once the handler has silenced it.
  template <class Event>
  static void after_handler(const Event &event) {
    if (event.kind != EventKind::irq_external || !external_in_service) return;
    external_in_service = false;
    LocalApic::acknowledge();
  }
  static void on_trap_entry(Frame &frame) {
    if (frame.vector == vector::breakpoint) {
      frame.rip -= int3_length;
    } else if (frame.vector == vector::timer || frame.vector == vector::software_interrupt) {
      LocalApic::acknowledge();
    } else if (IoApic::is_external_vector(frame.vector)) {
      frame.payload = frame.vector - IoApic::first_vector;
      external_in_service = true;
    }
  }
  // Before resuming `frame`: the frame limit of its thread.
  static void before_resume(const Frame &frame) {
    cte_x86_64_pc_trap_scratch.frame_limit = frame.library.stack_start ? frame.library.stack_start + stack_reserve : 0;
  }

  // --- boot (called once, before .init_array and main; see boot.hpp)
  static void boot_init();

 private:
  static constexpr std::uint64_t int3_length = 1;
  static constexpr std::uint64_t max_period_us = 60 * 1000000;  // the LAPIC's count is 32 bits
  static inline Calibration calibration{};
  static inline std::uint64_t boot_tsc = 0;
  static inline bool external_in_service = false;  // from trap entry until after_handler
};

}  // namespace cte::x86_64::pc
