#pragma once
// cte::BasicContext — the saved state of an interrupted or suspended thread.
//
// A Context *is* the ISA's trap frame (same address, same bytes); the class only adds the
// portable accessors. Portable code never touches frame fields directly; ISA-specific code
// may, through frame().

#include <cstdint>
#include <type_traits>

#include <cte/library_words.hpp>

namespace cte {

namespace detail {
// Fatal report for an argument index past the syscall convention's six (defined in
// detail/runtime.hpp, which every user of a Context includes).
[[noreturn, gnu::cold]] void fatal_argument_index(unsigned index);
}  // namespace detail

template <class Isa, class Platform>
class BasicContext {
 public:
  using Frame = typename Isa::Frame;
  using Word = typename Isa::Word;

  BasicContext() = delete;  // Contexts only exist where trap entry or kcontext built them.
  BasicContext(const BasicContext &) = delete;
  BasicContext &operator=(const BasicContext &) = delete;

  // Program counter: at the faulting instruction for faults and breakpoints, after the
  // trapping instruction for yield and syscall (the library has advanced it).
  Word pc() const { return Isa::pc(frame_); }
  void set_pc(Word value) { Isa::set_pc(frame_, value); }
  Word sp() const { return Isa::sp(frame_); }

  // Syscall convention of the ISA: number register, argument registers 0..5, return register.
  Word syscall_number() const { return Isa::syscall_number(frame_); }
  // index < Isa::syscall_arg_count (6); any other index is a fatal report.
  Word arg(unsigned index) const {
    if (index >= Isa::syscall_arg_count) [[unlikely]]
      detail::fatal_argument_index(index);
    return Isa::arg(frame_, index);
  }
  void set_arg(unsigned index, Word value) {
    if (index >= Isa::syscall_arg_count) [[unlikely]]
      detail::fatal_argument_index(index);
    Isa::set_arg(frame_, index, value);
  }
  Word return_value() const { return Isa::return_value(frame_); }
  void set_return(Word value) { Isa::set_return_value(frame_, value); }

  // Interrupt-enable state the thread resumes with.
  bool interrupts_enabled() const { return Platform::frame_interrupts_enabled(frame_); }
  void set_interrupts_enabled(bool enabled) { Platform::set_frame_interrupts_enabled(frame_, enabled); }

  // Stack the thread runs on, when the library knows it (kcontext threads; {0,0} otherwise).
  std::uintptr_t stack_start() const { return frame_.library.stack_start; }
  std::uintptr_t stack_end() const { return frame_.library.stack_end; }

  Frame &frame() { return frame_; }
  const Frame &frame() const { return frame_; }

  static BasicContext *from_frame(Frame *frame) { return reinterpret_cast<BasicContext *>(frame); }

 private:
  Frame frame_;
};

}  // namespace cte
