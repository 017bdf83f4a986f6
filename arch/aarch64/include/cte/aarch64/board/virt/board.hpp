#pragma once
// The QEMU `virt` board (`-machine virt,gic-version=3`) as a cte platform, for a kernel at EL1
// or at EL2 (`virtualization=on`): Board<ExceptionLevel>. It provides what cte::Hosted
// provides (see include/cte/platform/hosted.hpp):
//   console and reports     PL011 UART (pl011.hpp)
//   halt / fatal exit       semihosting SYS_EXIT_EXTENDED (semihosting.hpp): QEMU's exit status
//   interrupt state         PSTATE.I; a Context's is the I bit of its saved SPSR
//   timer                   the level's physical generic timer (EL1: CNTP, INTID 30; EL2:
//                           CNTHP, INTID 26) behind the boards' PeriodicTimer (generic_timer.hpp)
//   software interrupt      SGI 0 to this CPU
//   external interrupts     the GICv3 (gicv3.hpp): acknowledged at trap entry (the INTID is
//                           the event's ref), ended after the handler; the loopback line is
//                           the PL011's transmit interrupt, SPI INTID 33
//   pages                   a 256 KiB pool of 4 KiB pages (cte/detail/page_pool.hpp) in the
//                           MMU's 4 KiB window (exception_level/mmu.hpp): protection is the
//                           valid bit of its page descriptors; an access is a page_fault
//   stack guards            an unmapped page below a GuardedStack; exceptions are taken on
//                           the exception stack (SP_ELx), so an overflow reaches the handler
//   trap hooks              GIC acknowledge, tick acknowledge, frame limit
// Pending interrupts need no software help: when a Context resumes with interrupts enabled,
// eret unmasks them and the CPU takes a pending one before the first instruction.
//
// Stack overflow: the lowest `stack_reserve` bytes of the running kcontext thread's stack are
// its reserve. A trap whose frame would not fit above the reserve is a stack overflow (the
// vector and the voluntary-trap stubs save it in the reserved overflow frame, see
// exception_level/trap_entry.hpp). With a
// GuardedStack the thread's first access below its stack also faults on the guard page; with
// any other stack the check at the next trap is all there is.

#include <cstddef>
#include <cstdint>

#include <cte/board/code_range.hpp>
#include <cte/aarch64/board/virt/generic_timer.hpp>
#include <cte/aarch64/board/virt/gicv3.hpp>
#include <cte/aarch64/board/virt/libc_shims.hpp>
#include <cte/aarch64/board/virt/pl011.hpp>
#include <cte/aarch64/board/virt/pl031.hpp>
#include <cte/aarch64/board/virt/semihosting.hpp>
#include <cte/aarch64/exception_level/level.hpp>
#include <cte/aarch64/exception_level/mmu.hpp>
#include <cte/aarch64/exception_level/trap_entry.hpp>
#include <cte/aarch64/exception_level/trap_scratch.hpp>
#include <cte/aarch64/exception_level/voluntary_entry.hpp>
#include <cte/aarch64/frame.hpp>
#include <cte/area.hpp>
#include <cte/board/interrupts_off.hpp>
#include <cte/board/platform_members.hpp>
#include <cte/board/periodic_timer.hpp>
#include <cte/context.hpp>
#include <cte/detail/page_pool.hpp>

// Bounds of the RAM left after the image (arch/boards/sections.ld).
extern "C" char cte_board_heap_start, cte_board_heap_end;

namespace cte::aarch64::virt {

inline constexpr std::uint64_t ram_start = 0x40000000, ram_size = 128 * 1024 * 1024;  // QEMU's default -m
inline constexpr unsigned software_sgi = 0;
// HCR_EL2.IMO: physical IRQs are taken to EL2 (without it, none is taken at EL2 at all).
inline constexpr std::uint64_t hcr_irq_to_el2 = 1u << 4;
// ICC_SRE_ELx: SRE (system-register CPU interface); at EL2 also Enable (lower levels may use it).
inline constexpr std::uint64_t icc_sre = 1u << 0, icc_sre_el2_enable = 1u << 3;

template <ExceptionLevel L>
struct Board : board::PoolPages<Board<L>>, board::GuardPageBelowStack<Board<L>>, board::PeriodicTimerMembers<Board<L>> {
  using TimerCompare = GenericTimerCompare<L>;
  using Timer = GenericTimer<L>;
  using Pages = cte::detail::PagePool<4096, 64>;
  static constexpr ExceptionLevel level = L;

  static constexpr const char *name = L == ExceptionLevel::el1 ? "aarch64-virt-el1" : "aarch64-virt-el2";
  // The raw causes a kernel sees at this level (the bare-metal tests check them).
  struct Mode {
    static constexpr const char *name = Level<L>::name;
    static constexpr std::uint64_t yield_cause = svc_esr_of(voluntary_trap::yield);      // svc #1
    static constexpr std::uint64_t syscall_cause = svc_esr_of(voluntary_trap::syscall);  // svc #0
    static constexpr std::uint64_t timer_cause = Level<L>::timer_intid;
    static constexpr std::uint64_t software_cause = software_sgi;
  };
  // Lowest bytes of a kcontext stack a trap frame may not use: a thread that runs into them is
  // caught at its next trap before it writes below its stack (see the top of this file).
  static constexpr std::size_t stack_reserve = 2048;
  // Smallest kcontext stack: the reserve and a frame (the handler runs on the exception stack).
  static constexpr std::size_t min_kstack_size = 4096;
  static_assert(min_kstack_size > stack_reserve + sizeof(Frame));
  // QEMU's exit status after a fatal report.
  static constexpr int fatal_exit_status = 1;

  // --- console, exit
  static void console_write(const char *text, std::size_t size) { Pl011::write(text, size); }
  static void report_write(const char *text, std::size_t size) { Pl011::write(text, size); }
  [[noreturn]] static void halt(int code) { SemihostingExit::exit(code); }
  static bool console_read(char &c) { return Pl011::get(c); }
  [[noreturn]] static void terminate_failure() { SemihostingExit::exit(fatal_exit_status); }

  // --- clocks: time since reset (the generic timer's counter) and the wall clock (PL031)
  static std::uint64_t uptime_us() { return board::ticks_to_us(TimerCompare::now(), TimerCompare::ticks_per_second); }
  static std::uint64_t realtime_ns() { return Pl031::now_ns(); }
  // RAM after the image and the boot stack (linker script): the heap of an AM program.
  static Area heap() { return {&cte_board_heap_start, &cte_board_heap_end}; }
  static bool code_readable(std::uintptr_t address, std::size_t size) { return board::code_readable(address, size); }

  // --- interrupt state: PSTATE.I, no software flag.
  static bool interrupts_enabled() {
    std::uint64_t daif;
    asm volatile("mrs %0, daif" : "=r"(daif)::"memory");
    return (daif & pstate::irq_mask) == 0;
  }
  // Unmasking takes a pending interrupt at once (the write ends QEMU's translation block).
  static void set_interrupts_enabled(bool enable) {
    if (enable)
      asm volatile("msr daifclr, #2" ::: "memory");
    else
      asm volatile("msr daifset, #2" ::: "memory");
  }
  static bool interrupt_pending() {
    std::uint64_t status;
    asm volatile("mrs %0, isr_el1" : "=r"(status)::"memory");
    return (status & pstate::irq_mask) != 0;  // ISR_EL1.I sits where PSTATE.I does
  }
  template <class Frame>
  static bool frame_interrupts_enabled(const Frame &frame) {
    return (frame.pstate & pstate::irq_mask) == 0;
  }
  template <class Frame>
  static void set_frame_interrupts_enabled(Frame &frame, bool enabled) {
    if (enabled)
      frame.pstate &= ~pstate::irq_mask;
    else
      frame.pstate |= pstate::irq_mask;
    exception_level::restart_stub_before_mask<L>(frame);
  }

  // --- pages for GuardedStack and ProtectedPage (the pool, the timer and the guard page below
  // a stack: the bases above)
  static bool set_page_access(Area pages, bool accessible) {
    return board::with_interrupts_disabled<Board>([&] {
      return exception_level::mmu::set_access<L>(reinterpret_cast<std::uint64_t>(pages.start), area_size(pages),
                                                 accessible);
    });
  }

  // --- interrupts the kernel raises itself
  static std::uintptr_t loopback_irq_source() { return Pl011::interrupt_id; }
  static bool loopback_irq_raise() {
    Pl011::set_transmit_interrupt(true);
    return true;
  }
  static void loopback_irq_acknowledge() { Pl011::set_transmit_interrupt(false); }
  static void raise_software_interrupt() { GicV3::send_sgi_to_self(software_sgi); }

  // --- hooks of the dispatcher
  static void on_init() {}  // the vector is installed at boot: traps before cte_init are reported too
  template <class Frame>
  static bool take_pending_interrupt(Frame &) {
    return false;  // the CPU takes it after eret (see above)
  }
  // The interrupt acknowledged at trap entry may be taken again (its source is quiet now: the
  // tick was acknowledged, the handler silenced a device).
  template <class Event>
  static void after_handler(const Event &) {
    if (active_interrupt == GicV3::spurious) return;
    GicV3::end(active_interrupt);
    active_interrupt = GicV3::spurious;
  }
  // Before the handler of a trap the vector saved completely: an IRQ's INTID comes from the
  // GIC (which makes it active), and a tick is acknowledged by programming the next one.
  // (cte's yield, syscall and thread exit do not get here: exception_level/voluntary_entry.hpp.)
  static void on_trap_entry(Frame &frame) {
    if (frame.trap_kind != static_cast<std::uint64_t>(TrapKind::irq)) return;
    const unsigned id = GicV3::acknowledge();
    frame.interrupt_id = id;
    if (id == GicV3::spurious) return;
    active_interrupt = id;
    if (id == Level<L>::timer_intid) Timer::acknowledge();
  }
  // Before resuming `frame`: the frame limit of its thread.
  static void before_resume(const Frame &frame) {
    exception_level::TrapScratch &scratch = cte_aarch64_trap_scratch;
    if (frame.library.stack_start == scratch.limit_stack_start) return;
    scratch.limit_stack_start = frame.library.stack_start;
    scratch.frame_limit = frame.library.stack_start ? frame.library.stack_start + stack_reserve : 0;
  }

  // --- boot (called once, before .init_array and main; see boot.hpp)
  static void boot_init() {
    exception_level::install_vector_table<L>();
    exception_level::mmu::enable<L>(reinterpret_cast<std::uint64_t>(Pages::area().start), ram_start,
                                    ram_start + ram_size);
    TimerCompare::read_frequency();
    if constexpr (L == ExceptionLevel::el2) {
      std::uint64_t hcr;
      asm volatile("mrs %0, hcr_el2" : "=r"(hcr));
      asm volatile("msr hcr_el2, %0\n msr icc_sre_el2, %1\n isb" ::"r"(hcr | hcr_irq_to_el2),
                   "r"(icc_sre | icc_sre_el2_enable)
                   : "memory");
    } else {
      asm volatile("msr icc_sre_el1, %0\n isb" ::"r"(icc_sre) : "memory");
    }
    GicV3::init();
    Timer::disarm();
    Pl011::set_transmit_interrupt(false);
    GicV3::enable(Level<L>::timer_intid);
    GicV3::enable(software_sgi);
    GicV3::enable(Pl011::interrupt_id);
  }

 private:
  static inline unsigned active_interrupt = GicV3::spurious;  // between trap entry and after_handler
};

}  // namespace cte::aarch64::virt
