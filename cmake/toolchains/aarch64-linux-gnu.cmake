# Cross toolchain: aarch64 Linux (ARMv8-A, AAPCS64) with Debian's aarch64-linux-gnu GCC, run
# under qemu-aarch64.
#   cmake --preset aarch64-linux   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake)
set(CTE_CROSS_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
