# Cross toolchain: bare-metal x86_64 images for QEMU's pc (q35, -cpu max, Multiboot 1), with
# the host's GCC used freestanding (no libc, no libstdc++ library code, no exceptions/RTTI,
# non-PIE static images linked at 1 MiB; -lgcc for the compiler's helpers). Kernel code:
# no red zone (a trap frame is written right below the interrupted stack pointer), no CET
# notes or endbr (Debian's default -fcf-protection).
#   cmake --preset x86_64-pc   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/x86_64-pc.cmake -DCTE_BOARD=x86_64-pc)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
# Without a C library a test executable cannot link: probe the compiler with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_cte_bare_metal "-m64 -mno-red-zone -fno-pie -fno-asynchronous-unwind-tables -fno-stack-protector -fcf-protection=none")
# C is not -ffreestanding: C programs (Abstract Machine kernels) keep main's implicit
# `return 0`; nothing of a C library is linked either way. The C++ of cte itself is freestanding.
set(CMAKE_C_FLAGS_INIT "${_cte_bare_metal}")
set(CMAKE_CXX_FLAGS_INIT "-ffreestanding ${_cte_bare_metal} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-nostdlib -no-pie -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lgcc")
set(CMAKE_C_STANDARD_LIBRARIES_INIT "-lgcc")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
