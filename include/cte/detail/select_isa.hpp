#pragma once
// What each ISA port's target.hpp declares for the one selection ladder (arch/include/cte/
// target.hpp): cte::selected_isa names the ISA's traits and its hosted port and signal mapping
// (declared here, defined by the port's headers, which the port names in
// CTE_ISA_HOSTED_PORT_HEADER and CTE_ISA_HOSTED_SIGNALS_HEADER).
#define CTE_SELECT_ISA(isa)         \
  namespace cte::isa {              \
  struct Port;                      \
  struct HostedSignals;             \
  }                                 \
  namespace cte::selected_isa {     \
  using Isa = isa::Isa;             \
  using HostedPort = isa::Port;     \
  using HostedSignals = isa::HostedSignals; \
  }
