# Instructions of a hosted yield on the ISAs callgrind does not run (riscv64 and aarch64 under
# qemu-user; included by tests/CMakeLists.txt for cross builds): bench/yield_instructions.cpp,
# counted by count_instructions.cmake with the emulator as the counter, against budgets that
# hold today's figures (docs/PERFORMANCE.md), so a change that makes the yield path longer
# fails here. Linked statically: start-up (the dynamic loader's most of all) is the bulk of
# what qemu logs, and it cancels out anyway. Optimised builds only (the counts are of -O2 code).
add_executable(yield_instructions ${PROJECT_SOURCE_DIR}/bench/yield_instructions.cpp)
target_link_libraries(yield_instructions PRIVATE cte::cte cte_project_options)
target_link_options(yield_instructions PRIVATE -static)
# MODE:BUDGET, per ISA.
if(CTE_ISA STREQUAL "riscv64")
  set(_cte_yield_budgets pingpong:337 self:150)
elseif(CTE_ISA STREQUAL "aarch64")
  set(_cte_yield_budgets pingpong:269 self:110)
else()
  message(FATAL_ERROR "cte: no qemu-user yield budgets for ${CTE_ISA}")
endif()
if(CMAKE_BUILD_TYPE MATCHES "Rel")
  foreach(mode_budget IN LISTS _cte_yield_budgets)
    string(REPLACE ":" ";" mode_budget "${mode_budget}")
    list(GET mode_budget 0 mode)
    list(GET mode_budget 1 budget)
    add_test(NAME bench_yield_instructions_${mode}
             COMMAND ${CMAKE_COMMAND} "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
                     -DPROGRAM=$<TARGET_FILE:yield_instructions> -DITERATIONS_LOW=200 -DITERATIONS_HIGH=400
                     -DARGUMENTS=${mode} -DBUDGET=${budget} -P ${PROJECT_SOURCE_DIR}/bench/count_instructions.cmake)
  endforeach()
endif()
