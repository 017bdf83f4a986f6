# Cross toolchain: bare-metal aarch64 images for QEMU's `virt` board (kernel at EL1 or EL2),
# with Debian's aarch64-linux-gnu GCC used freestanding (no libc, no libstdc++ library code,
# no exceptions/RTTI, non-PIE static images; -lgcc for the compiler's helpers). The MMU is on
# from boot (RAM Normal memory), so no -mstrict-align; -mno-outline-atomics: no __getauxval.
# The board and its level come from CTE_BOARD (aarch64-virt-el1, aarch64-virt-el2), see
# cmake/cteBoard.cmake.
#   cmake --preset aarch64-virt-el1   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-virt.cmake -DCTE_BOARD=...)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Without a C library a test executable cannot link: probe the compiler with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_cte_bare_metal "-fno-pie -fno-asynchronous-unwind-tables -fno-stack-protector -mno-outline-atomics -mcpu=cortex-a57")
# C is not -ffreestanding (AM programs keep hosted-C semantics); cte's C++ is.
set(CMAKE_C_FLAGS_INIT "${_cte_bare_metal}")
set(CMAKE_CXX_FLAGS_INIT "-ffreestanding ${_cte_bare_metal} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -no-pie -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lgcc")
set(CMAKE_C_STANDARD_LIBRARIES_INIT "-lgcc")

# Host programs (qemu-system-aarch64) are found on the host; nothing else is looked for.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
