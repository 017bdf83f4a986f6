# Cross toolchain: bare-metal riscv64 (RV64GC, lp64d) images for QEMU's `virt` board, with
# Debian's riscv64-linux-gnu GCC used freestanding (no libc, no libstdc++ library code, no
# exceptions/RTTI, non-PIE static images; -lgcc for the compiler's helpers). The board and
# its privilege mode come from CTE_BOARD (riscv64-virt-m, riscv64-virt-s), see
# cmake/cteBoard.cmake.
#   cmake --preset riscv64-virt-m   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/riscv64-virt.cmake -DCTE_BOARD=...)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER riscv64-linux-gnu-g++)
# Without a C library a test executable cannot link: probe the compiler with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_cte_bare_metal "-fno-pie -fno-asynchronous-unwind-tables -fno-stack-protector -march=rv64gc -mabi=lp64d -mcmodel=medany")
# C is not -ffreestanding: C programs (Abstract Machine kernels, built with AM's own flags)
# keep main's implicit `return 0` and hosted-C semantics; nothing of a C library is linked
# either way. The C++ of cte itself is freestanding.
set(CMAKE_C_FLAGS_INIT "${_cte_bare_metal}")
set(CMAKE_CXX_FLAGS_INIT "-ffreestanding ${_cte_bare_metal} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
# Debian's linker adds a build-id note and warns about the single RWX segment of an image.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -no-pie -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lgcc")
set(CMAKE_C_STANDARD_LIBRARIES_INIT "-lgcc")

# Host programs (qemu-system-riscv64) are found on the host; nothing else is looked for.
set(CMAKE_FIND_ROOT_PATH /usr/riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
