# Runs a hosted AM program with its output going to a file (not a terminal, not ctest's pipe).
#   cmake -DPROGRAM=... [-DEMULATOR=...] [-DMAINARGS=...] -DWORK_FILE=... [-DEXPECTED=...] -P run_am.cmake
# With EXPECTED (\n for newlines): the file must equal it (the output-order test). Without:
# prints the output and the exit status for the test's PASS_REGULAR_EXPRESSION, so a program
# that ends in a fatal error (abort) is judged on its report.
string(REPLACE "|" ";" emulator "${EMULATOR}")  # the emulator's words, joined with | to pass
execute_process(COMMAND ${CMAKE_COMMAND} -E env mainargs=${MAINARGS} ${emulator} ${PROGRAM}
                OUTPUT_FILE ${WORK_FILE} ERROR_FILE ${WORK_FILE}.err RESULT_VARIABLE status)
file(READ ${WORK_FILE} output)
file(READ ${WORK_FILE}.err errors)
if(DEFINED EXPECTED)
  string(REPLACE "\\n" "\n" expected "${EXPECTED}")
  if(NOT output STREQUAL expected)
    message(FATAL_ERROR "output to a file (status ${status}):\n[${output}]\nexpected:\n[${expected}]")
  endif()
  message(STATUS "run_am: file matches (status ${status})")
else()
  message(STATUS "run_am: status ${status}\n${output}${errors}")
endif()
