#pragma once
// The guarded touch, the ISA half of the hosted readability probe (platform/hosted_read_probe.hpp):
// two byte loads whose fault the signal layer turns into a return of 0, as a kernel's exception
// table turns a fault in copy_from_user into an error. No system call, and right for any mapping
// (unmapped, PROT_NONE, execute-only). A port declares and emits it with the ISA's instructions:
//
//   CTE_GUARDED_TOUCH(isa, "load the byte at argument 0", "load the byte at argument 1",
//                     "return 1", "return 0", "return instruction")
//
// which defines cte_<isa>_guarded_touch(first, last) (1, or 0 if a load faulted), its labels
// _loaded (the loads are [cte_<isa>_guarded_touch, _loaded)) and _fault (where the signal layer
// resumes a faulted load), and cte::<isa>::GuardedTouch naming the three for the probe.

#include <cstdint>

#include <cte/detail/asm.hpp>

#define CTE_GUARDED_TOUCH(isa, load_first, load_last, return_one, return_zero, return_)                                      \
  extern "C" {                                                                                                               \
  int cte_##isa##_guarded_touch(std::uintptr_t first, std::uintptr_t last);                                                  \
  void cte_##isa##_guarded_touch_loaded();                                                                                   \
  void cte_##isa##_guarded_touch_fault();                                                                                    \
  }                                                                                                                          \
  namespace cte::isa {                                                                                                       \
  struct GuardedTouch {                                                                                                      \
    static constexpr auto touch = &cte_##isa##_guarded_touch;                                                                \
    static constexpr auto loads_end = &cte_##isa##_guarded_touch_loaded;                                                     \
    static constexpr auto fault = &cte_##isa##_guarded_touch_fault;                                                          \
  };                                                                                                                         \
  [[gnu::used]] inline void emit_guarded_touch() {                                                                           \
    asm volatile(                                                                                                            \
        CTE_ASM_LEAVE_ENCLOSING_FRAME                                                                                        \
            CTE_ASM_FUNCTION_BEGIN(cte_##isa##_guarded_touch) "  " load_first "\n  " load_last "\n" CTE_ASM_GLOBAL_LABEL(    \
                cte_##isa##_guarded_touch_loaded) "  " return_one "\n  " return_                                             \
                                                  "\n" CTE_ASM_GLOBAL_LABEL(                                                 \
                                                      cte_##isa##_guarded_touch_fault) "  " return_zero "\n  " return_       \
                                                                                       "\n" CTE_ASM_FUNCTION_END(            \
                                                                                           cte_##isa##_guarded_touch)        \
                                                                                           CTE_ASM_REENTER_ENCLOSING_FRAME); \
  }                                                                                                                          \
  }
