# Cross toolchain: riscv64 Linux (RV64GC, lp64d) with Debian's riscv64-linux-gnu GCC. Programs
# run under qemu-user (binfmt is not assumed): ctest and catch_discover_tests go through
# CMAKE_CROSSCOMPILING_EMULATOR.
#   cmake --preset riscv64-linux   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/riscv64-linux-gnu.cmake)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER riscv64-linux-gnu-g++)

# The target's sysroot; host programs (compilers, qemu) are found on the host.
set(CMAKE_FIND_ROOT_PATH /usr/riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(CTE_QEMU_RISCV64 qemu-riscv64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${CTE_QEMU_RISCV64};-L;/usr/riscv64-linux-gnu")
