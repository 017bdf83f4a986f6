# Cross toolchain: riscv64 Linux (RV64GC, lp64d) with Debian's riscv64-linux-gnu GCC, run under
# qemu-riscv64.
#   cmake --preset riscv64-linux   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/riscv64-linux-gnu.cmake)
set(CTE_CROSS_PROCESSOR riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
