# Installs cte from its build tree, builds tests/am/consumer against the installed package
# and runs the consumer's test (ctest drives this script).
#   cmake -DCTE_BINARY_DIR=... -DWORK_DIR=... [-DBOARD=...] [-DTOOLCHAIN_FILE=...]
#         [-DC_COMPILER=... -DCXX_COMPILER=...] -P run.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${CTE_BINARY_DIR} --prefix ${WORK_DIR}/prefix
                COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
set(package_dir ${WORK_DIR}/prefix/share/cmake/cte)
set(args -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK_DIR}/build -Dcte_DIR=${package_dir})
if(BOARD)
  # Only what the installed package provides: its toolchain file and the board's name.
  if(BOARD STREQUAL "x86_64-pc")
    set(toolchain x86_64-pc)
  else()
    string(REGEX MATCH "^[^-]+" board_isa "${BOARD}")
    set(toolchain ${board_isa}-virt)
  endif()
  list(APPEND args -DCMAKE_TOOLCHAIN_FILE=${package_dir}/toolchains/${toolchain}.cmake -DCTE_BOARD=${BOARD})
else()
  list(APPEND args -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  if(TOOLCHAIN_FILE)
    list(APPEND args -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE})
  endif()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} ${args} COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build --output-on-failure
                COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "am consumer: installed package built and ran the kernel")
