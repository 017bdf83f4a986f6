#pragma once
// The port contract as code: what the portable layer needs from an ISA, a platform (hosted
// Linux or a board) and a port (trap entry, kcontext, fast switch). <cte/target_port.hpp>
// checks the selected target against these concepts, so a port that misses a member or gets a
// signature wrong fails at compile time with the role and the requirement named, not deep
// inside the library. docs/ARCHITECTURE.md states the contract from them.

#include <concepts>
#include <cstddef>
#include <cstdint>

#include <cte/area.hpp>
#include <cte/event.hpp>
#include <cte/fp_controls.hpp>
#include <cte/library_words.hpp>

namespace cte {

// An ISA's traits: its trap frame, how portable code reads it, and how its causes decode.
template <class I>
concept IsaTraits = requires(typename I::Frame &frame, const typename I::Frame &const_frame, typename I::Word word,
                             unsigned index, std::uintptr_t sp, const void *pc) {
  typename I::Frame;
  typename I::Word;
  requires std::same_as<decltype(frame.library), LibraryWords>;  // the library's words, by name
  requires sizeof(typename I::Frame) % 16 == 0;
  { I::name } -> std::convertible_to<const char *>;
  { I::syscall_arg_count } -> std::convertible_to<unsigned>;
  { I::has_16_byte_vectors } -> std::convertible_to<bool>;
  { I::pc(const_frame) } -> std::same_as<typename I::Word>;
  {I::set_pc(frame, word)};
  { I::sp(const_frame) } -> std::same_as<typename I::Word>;
  { I::syscall_number(const_frame) } -> std::same_as<typename I::Word>;
  { I::arg(const_frame, index) } -> std::same_as<typename I::Word>;
  {I::set_arg(frame, index, word)};
  { I::return_value(const_frame) } -> std::same_as<typename I::Word>;
  {I::set_return_value(frame, word)};
  { I::decode(const_frame) } -> std::same_as<BasicEvent<I>>;
  { I::is_thread_exit(const_frame) } -> std::same_as<bool>;
  { I::instruction_length(pc) } -> std::same_as<std::size_t>;
  { I::max_instruction_length } -> std::convertible_to<std::size_t>;
  // Where the frame that describes a thread whose stack pointer is `sp` lies (below it).
  { I::frame_below(sp) } -> std::same_as<typename I::Frame *>;
};

// A platform: console, exit, the interrupt-enable state and its place in a frame, the timer,
// and the dispatcher's hooks. Hosted Linux and every board are platforms.
template <class P, class Isa>
concept PlatformFor = requires(typename Isa::Frame &frame, const typename Isa::Frame &const_frame,
                               const BasicEvent<Isa> &event, const char *text, std::size_t size, bool enable,
                               std::uint64_t period_us, int code, Area pages) {
  { P::name } -> std::convertible_to<const char *>;
  { P::min_kstack_size } -> std::convertible_to<std::size_t>;
  // The lowest bytes of a kcontext stack no trap frame may occupy: a trap whose frame would
  // lie there is the thread's stack_overflow (room left for the handler of a voluntary trap).
  { P::stack_reserve } -> std::convertible_to<std::size_t>;
  {P::console_write(text, size)};
  {P::report_write(text, size)};
  {P::halt(code)};
  {P::terminate_failure()};
  { P::interrupts_enabled() } -> std::same_as<bool>;
  {P::set_interrupts_enabled(enable)};
  { P::interrupt_pending() } -> std::same_as<bool>;
  { P::frame_interrupts_enabled(const_frame) } -> std::same_as<bool>;
  {P::set_frame_interrupts_enabled(frame, enable)};
  { P::timer_start(period_us) } -> std::same_as<bool>;
  // Whether code bytes can be read without a fault (skip_instruction asks before decoding).
  { P::code_readable(std::uintptr_t{}, size) } -> std::same_as<bool>;
  {P::timer_stop()};
  {P::on_init()};
  // Memory for GuardedStack and ProtectedPage: whole pages (boards: from a fixed pool), their
  // access, and the guard of a stack (below it or in its lowest bytes, stack_guard_in_area).
  { P::page_size() } -> std::same_as<std::size_t>;
  { P::map_pages(size) } -> std::same_as<Area>;
  {P::unmap_pages(pages)};
  { P::set_page_access(pages, enable) } -> std::same_as<bool>;
  { P::stack_guard_size() } -> std::same_as<std::size_t>;
  { P::stack_guard_in_area } -> std::convertible_to<bool>;
  { P::guard_stack(pages) } -> std::same_as<bool>;
  {P::unguard_stack(pages)};
  // Interrupts the kernel raises itself: a software interrupt to the running CPU, and the
  // loopback device line (cte/loopback_irq.hpp).
  {P::raise_software_interrupt()};
  { P::loopback_irq_source() } -> std::same_as<std::uintptr_t>;
  { P::loopback_irq_raise() } -> std::same_as<bool>;
  {P::loopback_irq_acknowledge()};
  // Dispatcher hooks: trap entry records the interrupt state in the frame and disables
  // interrupts; an interrupt held pending is handed to a frame about to resume with interrupts
  // enabled; after every handler; before the chosen frame is resumed (never re-enables
  // interrupts: the resume itself does, as its last act).
  {P::on_trap_entry(frame)};
  { P::take_pending_interrupt(frame) } -> std::same_as<bool>;
  {P::after_handler(event)};
  {P::before_resume(const_frame)};
};

// A port: the voluntary traps, kcontext frames and the fast switch of one ISA on one platform.
template <class Port, class Isa>
concept PortFor = requires(std::uint64_t word, Area stack, void (*entry)(void *), void *arg,
                           typename Port::FastSwitch::State &state) {
  {Port::yield_trap()};
  { Port::syscall_trap(word, word, word, word, word, word, word) } -> std::same_as<std::uint64_t>;
  { Port::kcontext_frame_footprint } -> std::convertible_to<std::size_t>;
  { Port::build_kcontext_frame(stack, entry, arg) } -> std::same_as<typename Isa::Frame *>;
  // A parked thread: its stack pointer and where it resumes (cte/detail/fresh_thread.hpp).
  typename Port::FastSwitch::State;
  { state.sp } -> std::convertible_to<void *>;
  { state.resume_address } -> std::same_as<void (*&)()>;
  // Where a fresh thread's first switch lands (reads its FreshThreadStart).
  { Port::FastSwitch::fresh_thread_trampoline } -> std::convertible_to<void (*)()>;
  // Returns the compiler fence's condition: 0 on every resume, 1 on a path the compiler must
  // assume and that never runs (cte/fast_switch.hpp). Both
  // forms are called only with two different states: a switch to the running thread's own
  // returns in the portable layer, so a port may read the resumed state before it writes the
  // switcher's.
  { Port::FastSwitch::template switch_threads<FpControls::shared>(state, state) } -> std::same_as<std::uint64_t>;
  { Port::FastSwitch::template switch_threads<FpControls::per_thread>(state, state) } -> std::same_as<std::uint64_t>;
  // The same switch as a call to an assembly function (a tail jump at the end of a function).
  { Port::FastSwitch::call_shared } -> std::convertible_to<void (*)(decltype(&state), decltype(&state)) noexcept>;
  { Port::FastSwitch::call_per_thread } -> std::convertible_to<void (*)(decltype(&state), decltype(&state)) noexcept>;
};

}  // namespace cte
