#pragma once
// The QEMU `virt` board as a cte platform (`cte::TargetPlatform` of a bare-metal build), for a
// kernel running in M-mode (`-bios none`) or S-mode (under OpenSBI): Board<Privilege>.
// It provides what cte::Hosted provides (see include/cte/platform/hosted.hpp):
//   console and reports     16550 UART (uart.hpp)
//   halt / fatal exit       sifive_test finisher (exit.hpp): QEMU's exit status
//   interrupt state         mstatus.MIE / sstatus.SIE; a Context's is its saved xPIE
//   timer                   CLINT (M) / SBI TIME (S) behind one PeriodicTimer (timer.hpp)
//   software interrupt      the CLINT's msip (M) / sip.SSIP (S)
//   external interrupts     the PLIC (plic.hpp): claimed at trap entry (the source is the
//                           event's ref), completed after the handler; the loopback line is
//                           the UART's transmit-empty interrupt, source 10
//   pages                   a 256 KiB pool of 4 KiB pages (cte/detail/page_pool.hpp);
//                           protection by PMP entries (M: access faults) or Sv39 page table
//                           entries (S: page faults; privileged/sv39.hpp)
//   trap hooks              pc past an ecall, tick acknowledge, PLIC claim, stack guard
// Pending interrupts need no software help: when a Context resumes with interrupts enabled,
// xRET enables them and the hart takes a pending one before the first instruction.
//
// Stack overflow: the lowest `stack_reserve` bytes of the running kcontext thread's stack are
// its reserve. A trap whose frame would not fit above the reserve is a stack overflow (the
// vector saves it in the reserved overflow frame, see privileged/trap_entry.hpp). In M-mode
// the reserve is also a PMP guard (privileged/pmp.hpp): the thread's first store into it
// faults. In S-mode (OpenSBI owns PMP, and cte sets up no page tables) the check at the next
// trap is all there is: a thread may write below its reserve before that trap comes.

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <cte/area.hpp>
#include <cte/context.hpp>
#include <cte/riscv64/board/virt/clint.hpp>
#include <cte/riscv64/board/virt/exit.hpp>
#include <cte/riscv64/board/virt/goldfish_rtc.hpp>
#include <cte/board/code_range.hpp>
#include <cte/board/interrupts_off.hpp>
#include <cte/board/platform_members.hpp>
#include <cte/detail/page_pool.hpp>
#include <cte/riscv64/board/virt/libc_shims.hpp>
#include <cte/riscv64/board/virt/plic.hpp>
#include <cte/riscv64/board/virt/sbi.hpp>
#include <cte/riscv64/board/virt/timer.hpp>
#include <cte/riscv64/board/virt/uart.hpp>
#include <cte/riscv64/frame.hpp>
#include <cte/riscv64/privileged/mode.hpp>
#include <cte/riscv64/privileged/pmp.hpp>
#include <cte/riscv64/privileged/sv39.hpp>
#include <cte/riscv64/privileged/trap_entry.hpp>

// Bounds of the RAM left after the image (arch/boards/sections.ld).
extern "C" char cte_board_heap_start, cte_board_heap_end;

namespace cte::riscv64::virt {

using privileged::Privilege;

template <Privilege P>
struct Board : board::PoolPages<Board<P>>, board::PeriodicTimerMembers<Board<P>> {
  using Mode = privileged::Mode<P>;
  using TimerCompare = std::conditional_t<P == Privilege::machine, ClintCompare, SbiCompare>;
  using Timer = PeriodicTimer<TimerCompare>;
  using Interrupts = Plic<P>;
  using Pages = cte::detail::PagePool<4096, 64>;
  static constexpr Privilege privilege = P;
  static constexpr bool machine_mode = P == Privilege::machine;

  static constexpr const char *name = machine_mode ? "riscv64-virt-m" : "riscv64-virt-s";
  // Lowest bytes of a kcontext stack a trap frame may not use (M-mode: PMP-guarded).
  static constexpr std::size_t stack_reserve = 2048;
  // Smallest kcontext stack: the reserve, and room for the handler below the Context.
  static constexpr std::size_t min_kstack_size = 7 * 1024;
  static_assert(min_kstack_size > stack_reserve + sizeof(Frame));
  // QEMU's exit status after a fatal report.
  static constexpr int fatal_exit_status = 1;

  // --- console, exit
  static void console_write(const char *text, std::size_t size) { Uart16550::write(text, size); }
  static void report_write(const char *text, std::size_t size) { Uart16550::write(text, size); }
  [[noreturn]] static void halt(int code) { SifiveTestExit::exit(code); }
  static bool console_read(char &c) { return Uart16550::get(c); }

  // --- clocks: time since reset (the 10 MHz platform timer) and the wall clock (Goldfish RTC)
  static std::uint64_t uptime_us() { return board::ticks_to_us(TimerCompare::now(), TimerCompare::ticks_per_second); }
  static std::uint64_t realtime_ns() { return GoldfishRtc::now_ns(); }

  // RAM after the image and the boot stack (linker script): the heap of an AM program.
  static Area heap() { return {&cte_board_heap_start, &cte_board_heap_end}; }
  [[noreturn]] static void terminate_failure() { SifiveTestExit::exit(fatal_exit_status); }

  // --- interrupt state: the hart's own enable bit, no software flag.
  static bool interrupts_enabled() { return (privileged::csr_read<Mode::status_csr>() & Mode::interrupt_enable) != 0; }
  // Enabling takes a pending interrupt at once (the CSR write ends QEMU's translation block).
  static void set_interrupts_enabled(bool enable) {
    if (enable)
      privileged::csr_set<Mode::status_csr>(Mode::interrupt_enable);
    else
      privileged::csr_clear<Mode::status_csr>(Mode::interrupt_enable);
  }
  static bool interrupt_pending() {
    return (privileged::csr_read<Mode::ip_csr>() & privileged::csr_read<Mode::ie_csr>()) != 0;
  }
  template <class Frame>
  static bool frame_interrupts_enabled(const Frame &frame) {
    return (frame.status & Mode::previous_interrupt_enable) != 0;
  }
  template <class Frame>
  static void set_frame_interrupts_enabled(Frame &frame, bool enabled) {
    if (enabled)
      frame.status |= Mode::previous_interrupt_enable;
    else
      frame.status &= ~Mode::previous_interrupt_enable;
  }

  static bool code_readable(std::uintptr_t address, std::size_t size) { return board::code_readable(address, size); }

  // --- pages for GuardedStack and ProtectedPage (the pool and the timer: the bases above; PMP
  // or Sv39 with interrupts off)
  // M-mode: a PMP entry per NAPOT-shaped range, four at most; S-mode: Sv39 entries of the pool.
  static bool set_page_access(Area pages, bool accessible) {
    const auto start = reinterpret_cast<std::uint64_t>(pages.start);
    return board::with_interrupts_disabled<Board>([&] {
      if constexpr (machine_mode)
        return privileged::pmp::set_protected(start, area_size(pages), accessible);
      else
        return privileged::sv39::set_access(start, area_size(pages), accessible);
    });
  }
  // A GuardedStack's guard is its stack reserve, which the port guards for every kcontext
  // stack (see the top of this file): nothing to do per stack.
  static std::size_t stack_guard_size() { return stack_reserve; }
  static constexpr bool stack_guard_in_area = true;
  static bool guard_stack(Area) { return true; }
  static void unguard_stack(Area) {}

  // --- interrupts the kernel raises itself
  static std::uintptr_t loopback_irq_source() { return Uart16550::plic_source; }
  static bool loopback_irq_raise() {
    Uart16550::set_transmit_interrupt(true);
    return true;
  }
  static void loopback_irq_acknowledge() { Uart16550::set_transmit_interrupt(false); }

  // irq_software on this hart: the CLINT's msip (M) or sip.SSIP (S).
  static void raise_software_interrupt() {
    if constexpr (machine_mode)
      Clint::set_software_pending(true);
    else
      privileged::csr_set<Mode::ip_csr>(Mode::software_interrupt);
  }

  // --- hooks of the dispatcher
  static void on_init() {}  // the vector is installed at boot: traps before cte_init are reported too
  template <class Frame>
  static bool take_pending_interrupt(Frame &) {
    return false;  // the hart takes it after xRET (see above)
  }
  // The PLIC source claimed at trap entry may interrupt again (the handler has silenced it).
  template <class Event>
  static void after_handler(const Event &event) {
    if (event.kind != EventKind::irq_external || claimed_source == 0) return;
    Interrupts::complete(claimed_source);
    claimed_source = 0;
  }

  // Before the handler, for traps that entered the vector: the pc of an ecall moves past it
  // (the handler sees pc after the ecall, as the API promises; M-mode only: an S-mode ecall is
  // an SBI call and traps to the firmware), and a tick or software interrupt is acknowledged.
  // cte's yield, syscall and thread exit do not get here: they are calls that record the
  // finished trap themselves (privileged/voluntary_entry.hpp).
  static void on_trap_entry(Frame &frame) {
    if (machine_mode && frame.cause == Mode::ecall_cause) {
      frame.tval = 0;
      frame.pc += privileged::ecall_length;
    } else if (frame.cause == Mode::timer_cause) {
      Timer::acknowledge();
    } else if (frame.cause == Mode::external_cause) {
      claimed_source = Interrupts::claim();
      frame.irq_id = claimed_source;
      frame.irq_id_valid = 1;
    } else if (frame.cause == Mode::software_cause) {
      if constexpr (machine_mode)
        Clint::set_software_pending(false);
      else
        privileged::csr_clear<Mode::ip_csr>(Mode::software_interrupt);
    }
  }

  // Before resuming `frame`: the frame limit (and in M-mode the PMP guard) of its thread.
  // (One comparison when the stack is the one already guarded: the common case.)
  static void before_resume(const Frame &frame) {
    privileged::TrapScratch &scratch = privileged::trap_scratch;
    if (frame.library.stack_start == scratch.limit_stack_start) return;
    scratch.limit_stack_start = frame.library.stack_start;
    const std::uint64_t limit = frame.library.stack_start ? frame.library.stack_start + stack_reserve : 0;
    scratch.frame_limit = limit;
    if constexpr (machine_mode) {
      if (limit)
        privileged::pmp::set_guard(frame.library.stack_start, limit);
      else
        privileged::pmp::clear_guard();
    }
  }

  // --- boot (called once, before .init_array and main; see boot.hpp)
  static void boot_init() {
    privileged::install_trap_vector<P>();
    Timer::disarm();  // QEMU resets mtimecmp to 0: a tick would be pending at once
    if constexpr (machine_mode) {
      // Threads' loads and stores go through PMP (see pmp.hpp): allow everything, then MPRV.
      privileged::pmp::allow_everything();
      privileged::csr_set<Mode::status_csr>(privileged::status::mprv);
      Clint::set_software_pending(false);
    } else {
      privileged::csr_clear<Mode::ip_csr>(Mode::software_interrupt);
      privileged::sv39::enable(reinterpret_cast<std::uint64_t>(Pages::area().start));
    }
    Uart16550::set_transmit_interrupt(false);
    Interrupts::enable_source(Uart16550::plic_source);
    privileged::csr_set<Mode::ie_csr>(Mode::timer_interrupt | Mode::software_interrupt | Mode::external_interrupt);
  }

 private:
  static inline unsigned claimed_source = 0;  // in service between trap entry and after_handler
};

}  // namespace cte::riscv64::virt
