# The body of the cross toolchains for Linux under qemu-user: the including file sets
# CTE_CROSS_PROCESSOR (riscv64, aarch64) and everything follows from Debian's naming:
# <processor>-linux-gnu-g++, the sysroot /usr/<processor>-linux-gnu, qemu-<processor>.
# Programs run under qemu-user (binfmt is not assumed): ctest and catch_discover_tests go
# through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${CTE_CROSS_PROCESSOR})

set(CMAKE_C_COMPILER ${CTE_CROSS_PROCESSOR}-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER ${CTE_CROSS_PROCESSOR}-linux-gnu-g++)

# The target's sysroot; host programs (compilers, qemu) are found on the host.
set(CMAKE_FIND_ROOT_PATH /usr/${CTE_CROSS_PROCESSOR}-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(CTE_QEMU_USER qemu-${CTE_CROSS_PROCESSOR} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${CTE_QEMU_USER};-L;/usr/${CTE_CROSS_PROCESSOR}-linux-gnu")
