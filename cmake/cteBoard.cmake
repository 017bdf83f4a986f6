# Bare-metal boards. CTE_BOARD names one; then cte::cte carries the board (its header as
# CTE_BOARD_HEADER, its linker script), so a program that links cte::cte (or cte::am) is a
# bootable image, and CMAKE_CROSSCOMPILING_EMULATOR runs images under QEMU (ctest,
# add_test(COMMAND target)). Used by cte's own build and, installed, by find_package(cte).
#
#   riscv64-virt-m   QEMU virt, kernel in M-mode: qemu-system-riscv64 -machine virt -bios none
#   riscv64-virt-s   QEMU virt, kernel in S-mode under OpenSBI: -bios default
#   x86_64-pc        QEMU q35 (-cpu max), kernel in long mode, Multiboot 1
#
# Needs the board's toolchain (cmake/toolchains/riscv64-virt.cmake or x86_64-pc.cmake,
# installed beside this file),
# CTE_BOARD_FILES_DIR: the directory of the board's linker scripts, and CTE_BOARDS_COMMON_DIR:
# the directory of what every board shares (the sections.ld fragment the board's linker
# scripts include, and qemu-run).
# Defines the interface target cte_board; the includer links cte::cte to it.
# Sets CTE_BOARD_MODE (machine, supervisor: the privilege the kernel runs in, which the board
# header reads as CTE_RISCV64_VIRT_PRIVILEGE) and CTE_BOARD_RUN (the run command, a list:
# qemu-run OPTIONS... BOARD IMAGE; options such as --append TEXT go before BOARD).

set(_cte_boards riscv64-virt-m riscv64-virt-s x86_64-pc)
if(NOT CTE_BOARD IN_LIST _cte_boards)
  message(FATAL_ERROR "cte: unknown CTE_BOARD '${CTE_BOARD}' (known: ${_cte_boards})")
endif()

# Every QEMU run goes through qemu-run, which wraps it in `timeout`.
set(CTE_BOARD_RUN ${CTE_BOARDS_COMMON_DIR}/qemu-run ${CTE_BOARD})
set(CMAKE_CROSSCOMPILING_EMULATOR ${CTE_BOARD_RUN})

if(CTE_BOARD STREQUAL "x86_64-pc")
  if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64" OR NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
    message(FATAL_ERROR "cte: CTE_BOARD=x86_64-pc needs the bare-metal x86_64 toolchain (cmake/toolchains/x86_64-pc.cmake)")
  endif()
  set(CTE_BOARD_MODE long)
  if(NOT TARGET cte_board)
    add_library(cte_board INTERFACE)
    target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/x86_64/board/pc/pc.hpp>")
    target_link_options(cte_board INTERFACE -L${CTE_BOARDS_COMMON_DIR} -T${CTE_BOARD_FILES_DIR}/pc.ld)
  endif()
  return()
endif()

if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "riscv64" OR NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
  message(FATAL_ERROR "cte: CTE_BOARD=${CTE_BOARD} needs the bare-metal riscv64 toolchain (cmake/toolchains/riscv64-virt.cmake)")
endif()

if(CTE_BOARD STREQUAL "riscv64-virt-m")
  set(CTE_BOARD_MODE machine)
else()
  set(CTE_BOARD_MODE supervisor)
endif()

if(NOT TARGET cte_board)
  add_library(cte_board INTERFACE)
  target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/riscv64/board/virt/virt.hpp>"
                                                  CTE_RISCV64_VIRT_PRIVILEGE=${CTE_BOARD_MODE})
  target_link_options(cte_board INTERFACE -L${CTE_BOARDS_COMMON_DIR} -T${CTE_BOARD_FILES_DIR}/${CTE_BOARD_MODE}.ld)
endif()
