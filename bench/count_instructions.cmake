# Runs PROGRAM with ITERATIONS_LOW and ITERATIONS_HIGH and prints the instructions of one
# iteration: (high total - low total) / (high - low), exact. Fails when it exceeds BUDGET.
# Arguments after the iteration count: ARGUMENTS (a list). The counter, one of:
# - VALGRIND: callgrind's total of executed instructions (the host's own programs);
# - EMULATOR (a list: qemu-user and its options): qemu translates one instruction per block
#   (-singlestep) and logs one "Trace" line each time a block runs (-d exec; nochain sends every
#   block through the logger), so the log's lines are the executed instructions (ISAs callgrind
#   does not run).
foreach(count IN ITEMS ${ITERATIONS_LOW} ${ITERATIONS_HIGH})
  if(DEFINED VALGRIND)
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
  else()
    execute_process(
      COMMAND ${EMULATOR} -singlestep -d exec,nochain -D /dev/stdout ${PROGRAM} ${count} ${ARGUMENTS}
      COMMAND grep -c "^Trace"
      RESULTS_VARIABLE statuses OUTPUT_VARIABLE lines ERROR_VARIABLE log OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(GET statuses 0 status)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "${PROGRAM} ${count} ${ARGUMENTS} failed under ${EMULATOR} (${status}):\n${log}")
    endif()
    if(NOT lines MATCHES "^[0-9]+$" OR lines EQUAL 0)
      message(FATAL_ERROR "no executed instructions in qemu's log (${lines}):\n${log}")
    endif()
    list(APPEND totals ${lines})
  endif()
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
