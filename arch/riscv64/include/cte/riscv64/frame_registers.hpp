#pragma once
// The register lists of the riscv64 Frame, for the assembler's .irp loops: register n lives at
// x[n] / f[n] (DWARF numbers n and 32 + n). Every stub, hosted and bare metal, names the
// registers it saves and loads with these lists and nothing else: the groups follow the psABI
// roles, and each stub's list is the union of the groups its policy keeps.

#include <cte/riscv64/frame.hpp>

// --- Groups by psABI role (never x0, the hard-wired zero, nor x2, sp: every stub stores sp as
// the thread's stack pointer and loads it last).
#define CTE_RISCV64_GPRS_RA "1"
#define CTE_RISCV64_GPRS_GP_TP "3,4"  // global and thread pointer: the same in every cte thread
#define CTE_RISCV64_GPRS_T0_T2 "5,6,7"
#define CTE_RISCV64_GPRS_S0_S1 "8,9"
#define CTE_RISCV64_GPRS_A0 "10"  // first argument, the return value
#define CTE_RISCV64_GPRS_A1_A5 "11,12,13,14,15"
#define CTE_RISCV64_GPRS_A6_A7 "16,17"                                         // a7: the system call number
#define CTE_RISCV64_GPRS_A0_A5 CTE_RISCV64_GPRS_A0 "," CTE_RISCV64_GPRS_A1_A5  // system call arguments
#define CTE_RISCV64_GPRS_A0_A7 CTE_RISCV64_GPRS_A0_A5 "," CTE_RISCV64_GPRS_A6_A7
#define CTE_RISCV64_GPRS_S2_S11 "18,19,20,21,22,23,24,25,26,27"
#define CTE_RISCV64_GPRS_T3_T4 "28,29"
#define CTE_RISCV64_GPRS_T5_T6 "30,31"

// --- The lists the stubs use.
// What a call keeps besides sp and ra (gp, tp, s0-s11).
#define CTE_RISCV64_KEPT_GPRS CTE_RISCV64_GPRS_GP_TP "," CTE_RISCV64_GPRS_S0_S1 "," CTE_RISCV64_GPRS_S2_S11
// Every GPR a Frame holds besides sp.
#define CTE_RISCV64_FRAME_GPRS                                                                         \
  CTE_RISCV64_GPRS_RA "," CTE_RISCV64_GPRS_T0_T2 "," CTE_RISCV64_GPRS_A0_A7 "," CTE_RISCV64_GPRS_T3_T4 \
                      "," CTE_RISCV64_GPRS_T5_T6 "," CTE_RISCV64_KEPT_GPRS
// The same without t0-t2 (the bare-metal vector's scratch registers until the frame exists).
#define CTE_RISCV64_FRAME_GPRS_BUT_T0_T2                                                               \
  CTE_RISCV64_GPRS_RA "," CTE_RISCV64_GPRS_A0_A7 "," CTE_RISCV64_GPRS_T3_T4 "," CTE_RISCV64_GPRS_T5_T6 \
                      "," CTE_RISCV64_KEPT_GPRS
// What a call keeps of the FP registers (fs0-fs1, fs2-fs11), and all of them.
#define CTE_RISCV64_KEPT_FPRS "8,9,18,19,20,21,22,23,24,25,26,27"
#define CTE_RISCV64_FRAME_FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

// DWARF register number of fn (for .cfi_offset of the FP registers).
#define CTE_RISCV64_DWARF_FPR_BASE "32"

namespace cte::riscv64 {
static_assert(reg::ra == 1 && reg::sp == 2 && reg::gp == 3 && reg::tp == 4 && reg::t0 == 5 && reg::t2 == 7 &&
                  reg::s0 == 8 && reg::s1 == 9 && reg::a0 == 10 && reg::a5 == 15 && reg::a7 == 17 && reg::s2 == 18 &&
                  reg::s11 == 27 && reg::t3 == 28 && reg::t4 == 29 && reg::t5 == 30 && reg::t6 == 31,
              "the register groups name the psABI roles by number");
static_assert(freg::fs0 == 8 && freg::fs1 == 9 && freg::fs2 == 18 && freg::fs11 == 27 && freg::count == 32,
              "CTE_RISCV64_KEPT_FPRS names fs0-fs11 by number");
}  // namespace cte::riscv64
