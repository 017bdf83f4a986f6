#pragma once
// What each ISA port's target.hpp declares for the one selection ladder (arch/include/cte/
// target.hpp): cte::selected_isa names the ISA's traits and its hosted port and signal mapping
// (declared here, defined by the port's headers, which the port names in
// CTE_ISA_HOSTED_PORT_HEADER and CTE_ISA_HOSTED_SIGNALS_HEADER).
#define CTE_SELECT_ISA(isa)                 \
  namespace cte::isa {                      \
  struct Port;                              \
  struct HostedSignals;                     \
  }                                         \
  namespace cte::selected_isa {             \
  using Isa = isa::Isa;                     \
  using HostedPort = isa::Port;             \
  using HostedSignals = isa::HostedSignals; \
  }

// The hosted Port of an ISA (the contract: cte/port_contract.hpp), from the port's names: its
// FastSwitch, its trap stubs cte_<isa>_yield_trap / cte_<isa>_syscall_trap(a0..a5, number),
// and its build_kcontext_frame and kcontext_frame_footprint.
#define CTE_HOSTED_PORT(isa)                                                                                      \
  namespace cte::isa {                                                                                            \
  struct Port {                                                                                                   \
    using FastSwitch = isa::FastSwitch;                                                                           \
    static void yield_trap() { cte_##isa##_yield_trap(); }                                                        \
    static std::uint64_t syscall_trap(std::uint64_t number, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, \
                                      std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {                     \
      return cte_##isa##_syscall_trap(a0, a1, a2, a3, a4, a5, number);                                            \
    }                                                                                                             \
    static constexpr std::size_t kcontext_frame_footprint = isa::kcontext_frame_footprint;                        \
    static constexpr auto build_kcontext_frame = isa::build_kcontext_frame;                                       \
  };                                                                                                              \
  }
