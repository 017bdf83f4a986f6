# What every cte board toolchain shares (included by cmake/toolchains/<isa>-virt.cmake, which
# first sets _cte_target, the Debian cross compiler's triple without "-linux-gnu", and
# _cte_target_flags, its ISA's code-generation flags): Debian's <isa>-linux-gnu GCC used
# freestanding (no libc, no libstdc++ library code, no exceptions/RTTI, non-PIE static images;
# -lgcc for the compiler's helpers).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${_cte_target})

set(CMAKE_C_COMPILER ${_cte_target}-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER ${_cte_target}-linux-gnu-g++)
# Without a C library a test executable cannot link: probe the compiler with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# No unwind tables (.eh_frame is discarded: nothing unwinds at run time); with -g the compiler
# then writes call-frame information to .debug_frame, for debuggers (aarch64 GCC makes
# -funwind-tables the default, which -fno-asynchronous-unwind-tables alone leaves on).
set(_cte_bare_metal "-fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector ${_cte_target_flags}")
# C is not -ffreestanding: C programs (Abstract Machine kernels, built with AM's own flags)
# keep main's implicit `return 0` and hosted-C semantics; nothing of a C library is linked
# either way. The C++ of cte itself is freestanding.
set(CMAKE_C_FLAGS_INIT "${_cte_bare_metal}")
set(CMAKE_CXX_FLAGS_INIT "-ffreestanding ${_cte_bare_metal} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
# Debian's linker adds a build-id note and warns about the single RWX segment of an image.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -no-pie -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lgcc")
set(CMAKE_C_STANDARD_LIBRARIES_INIT "-lgcc")

# Host programs (qemu-system-<isa>) are found on the host; nothing else is looked for.
set(CMAKE_FIND_ROOT_PATH /usr/${_cte_target}-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
