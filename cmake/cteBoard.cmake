# Bare-metal boards. CTE_BOARD names one; then cte::cte carries the board (its header as
# CTE_BOARD_HEADER, its linker script), so a program that links cte::cte (or cte::am) is a
# bootable image, and CMAKE_CROSSCOMPILING_EMULATOR runs images under QEMU (ctest,
# add_test(COMMAND target)). Used by cte's own build and, installed, by find_package(cte).
#
#   riscv64-virt-m   QEMU virt, kernel in M-mode: qemu-system-riscv64 -machine virt -bios none
#   riscv64-virt-s   QEMU virt, kernel in S-mode under OpenSBI: -bios default
#   aarch64-virt-el1 QEMU virt (GICv3), kernel at EL1: qemu-system-aarch64 -machine virt,gic-version=3
#   aarch64-virt-el2 the same, kernel at EL2: -machine virt,gic-version=3,virtualization=on
#   x86_64-pc        QEMU q35 (-cpu max), kernel in long mode, Multiboot 1
#
# Needs the board's toolchain (cmake/toolchains/<isa>-virt.cmake, installed beside this file),
# CTE_BOARD_FILES_DIR: the directory of the board's linker scripts, and CTE_BOARDS_COMMON_DIR:
# the directory of what every board shares (the sections.ld fragment the board's linker
# scripts include, and qemu-run).
# Defines the interface target cte_board; the includer links cte::cte to it.
# Sets CTE_BOARD_ISA, CTE_BOARD_MODE (riscv64: machine, supervisor, the privilege the kernel
# runs in, which the board header reads as CTE_RISCV64_VIRT_PRIVILEGE; aarch64: el1, el2, its
# exception level, CTE_AARCH64_VIRT_LEVEL) and CTE_BOARD_RUN (the run command, a list:
# qemu-run OPTIONS... BOARD IMAGE; options such as --append TEXT go before BOARD).

set(_cte_boards riscv64-virt-m riscv64-virt-s aarch64-virt-el1 aarch64-virt-el2 x86_64-pc)
if(NOT CTE_BOARD IN_LIST _cte_boards)
  message(FATAL_ERROR "cte: unknown CTE_BOARD '${CTE_BOARD}' (known: ${_cte_boards})")
endif()
string(REGEX MATCH "^[^-]+" CTE_BOARD_ISA "${CTE_BOARD}")
if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL CTE_BOARD_ISA OR NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
  message(FATAL_ERROR "cte: CTE_BOARD=${CTE_BOARD} needs the bare-metal ${CTE_BOARD_ISA} toolchain (cmake/toolchains/${CTE_BOARD_ISA}-*.cmake)")
endif()

if(CTE_BOARD STREQUAL "riscv64-virt-m")
  set(CTE_BOARD_MODE machine)
elseif(CTE_BOARD STREQUAL "riscv64-virt-s")
  set(CTE_BOARD_MODE supervisor)
elseif(CTE_BOARD STREQUAL "aarch64-virt-el1")
  set(CTE_BOARD_MODE el1)
elseif(CTE_BOARD STREQUAL "aarch64-virt-el2")
  set(CTE_BOARD_MODE el2)
else()
  set(CTE_BOARD_MODE long)  # x86_64-pc: 64-bit long mode
endif()

if(NOT TARGET cte_board)
  add_library(cte_board INTERFACE)
  if(CTE_BOARD_ISA STREQUAL "riscv64")
    target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/riscv64/board/virt/virt.hpp>"
                                                    CTE_RISCV64_VIRT_PRIVILEGE=${CTE_BOARD_MODE})
    set(_cte_board_script ${CTE_BOARD_MODE}.ld)
  elseif(CTE_BOARD_ISA STREQUAL "aarch64")
    target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/aarch64/board/virt/virt.hpp>"
                                                    CTE_AARCH64_VIRT_LEVEL=${CTE_BOARD_MODE})
    set(_cte_board_script virt.ld)
  else()
    target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/x86_64/board/pc/pc.hpp>")
    set(_cte_board_script pc.ld)
  endif()
  target_link_options(cte_board INTERFACE -L${CTE_BOARDS_COMMON_DIR} -T${CTE_BOARD_FILES_DIR}/${_cte_board_script})
endif()

# Every QEMU run goes through qemu-run, which wraps it in `timeout`.
set(CTE_BOARD_RUN ${CTE_BOARDS_COMMON_DIR}/qemu-run ${CTE_BOARD})
set(CMAKE_CROSSCOMPILING_EMULATOR ${CTE_BOARD_RUN})
