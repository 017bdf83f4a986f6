# Cross toolchain: bare-metal riscv64 (RV64GC, lp64d) images for QEMU's `virt` board, with
# Debian's riscv64-linux-gnu GCC used freestanding (cte-bare-metal.cmake). The board and its
# privilege mode come from CTE_BOARD (riscv64-virt-m, riscv64-virt-s), see cmake/cteBoard.cmake.
#   cmake --preset riscv64-virt-m   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/riscv64-virt.cmake -DCTE_BOARD=...)
set(_cte_target riscv64)
set(_cte_target_flags "-march=rv64gc -mabi=lp64d -mcmodel=medany")
include(${CMAKE_CURRENT_LIST_DIR}/cte-bare-metal.cmake)
