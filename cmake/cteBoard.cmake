# Bare-metal boards. CTE_BOARD names one; then cte::cte carries the board (its header as
# CTE_BOARD_HEADER, its linker script), so a program that links cte::cte is a bootable image,
# and CMAKE_CROSSCOMPILING_EMULATOR runs images under QEMU (ctest, add_test(COMMAND target)).
#
#   riscv64-virt-m   QEMU virt, kernel in M-mode: qemu-system-riscv64 -machine virt -bios none
#   riscv64-virt-s   QEMU virt, kernel in S-mode under OpenSBI: -bios default
#
# Sets CTE_BOARD_MODE (machine, supervisor: the privilege the kernel runs in, which the board
# header reads as CTE_RISCV64_VIRT_PRIVILEGE) and CTE_BOARD_RUN (the run command, a list).

set(_cte_boards riscv64-virt-m riscv64-virt-s)
if(NOT CTE_BOARD IN_LIST _cte_boards)
  message(FATAL_ERROR "cte: unknown CTE_BOARD '${CTE_BOARD}' (known: ${_cte_boards})")
endif()
if(NOT CTE_ISA STREQUAL "riscv64" OR NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
  message(FATAL_ERROR "cte: CTE_BOARD=${CTE_BOARD} needs the bare-metal riscv64 toolchain (cmake/toolchains/riscv64-virt.cmake)")
endif()

set(_cte_virt_dir ${PROJECT_SOURCE_DIR}/arch/riscv64/boards/virt)
if(CTE_BOARD STREQUAL "riscv64-virt-m")
  set(CTE_BOARD_MODE machine)
  set(_cte_qemu_mode m)
else()
  set(CTE_BOARD_MODE supervisor)
  set(_cte_qemu_mode s)
endif()

find_program(CTE_QEMU_SYSTEM_RISCV64 qemu-system-riscv64 REQUIRED)

add_library(cte_board INTERFACE)
target_compile_definitions(cte_board INTERFACE "CTE_BOARD_HEADER=<cte/riscv64/board/virt/virt.hpp>"
                                                CTE_RISCV64_VIRT_PRIVILEGE=${CTE_BOARD_MODE})
target_link_options(cte_board INTERFACE -L${_cte_virt_dir} -T${_cte_virt_dir}/${CTE_BOARD_MODE}.ld)
target_link_libraries(cte INTERFACE $<BUILD_INTERFACE:cte_board>)

# Every QEMU run goes through qemu-run, which wraps it in `timeout`.
set(CTE_BOARD_RUN ${_cte_virt_dir}/qemu-run ${_cte_qemu_mode})
set(CMAKE_CROSSCOMPILING_EMULATOR ${CTE_BOARD_RUN})
