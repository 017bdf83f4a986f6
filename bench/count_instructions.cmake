# Runs PROGRAM under callgrind with ITERATIONS_LOW and ITERATIONS_HIGH and prints the
# instructions of one iteration: (high total - low total) / (high - low), exact. Fails when it
# exceeds BUDGET. Arguments after the iteration count: ARGUMENTS (a list).
foreach(count IN ITEMS ${ITERATIONS_LOW} ${ITERATIONS_HIGH})
  execute_process(
    COMMAND ${VALGRIND} --tool=callgrind --callgrind-out-file=/dev/null ${PROGRAM} ${count} ${ARGUMENTS}
    RESULT_VARIABLE status ERROR_VARIABLE log OUTPUT_QUIET)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} ${count} ${ARGUMENTS} failed (${status}):\n${log}")
  endif()
  if(NOT log MATCHES "Collected : ([0-9]+)")
    message(FATAL_ERROR "no instruction count in callgrind's output:\n${log}")
  endif()
  list(APPEND totals ${CMAKE_MATCH_1})
endforeach()
list(GET totals 0 low)
list(GET totals 1 high)
math(EXPR difference "${high} - ${low}")
math(EXPR iterations "${ITERATIONS_HIGH} - ${ITERATIONS_LOW}")
math(EXPR per_iteration "${difference} / ${iterations}")
math(EXPR remainder "${difference} % ${iterations}")
message("${ARGUMENTS}: ${per_iteration} instructions per iteration (budget ${BUDGET}; remainder ${remainder})")
if(per_iteration GREATER BUDGET)
  message(FATAL_ERROR "${ARGUMENTS}: ${per_iteration} instructions, over the budget of ${BUDGET}")
endif()
