# Cross toolchain: bare-metal aarch64 images for QEMU's `virt` board (kernel at EL1 or EL2),
# with Debian's aarch64-linux-gnu GCC used freestanding (cte-bare-metal.cmake). The MMU is on
# from boot (RAM is Normal memory), so no -mstrict-align; -mno-outline-atomics: no
# __getauxval. The board and its level come from CTE_BOARD (aarch64-virt-el1,
# aarch64-virt-el2), see cmake/cteBoard.cmake.
#   cmake --preset aarch64-virt-el1   (or -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-virt.cmake -DCTE_BOARD=...)
set(_cte_target aarch64)
set(_cte_target_flags "-mno-outline-atomics -mcpu=cortex-a57")
include(${CMAKE_CURRENT_LIST_DIR}/cte-bare-metal.cmake)
