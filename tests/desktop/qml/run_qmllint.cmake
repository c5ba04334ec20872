# Runs the all_qmllint target; a failed build (qmllint exits non-zero on a warning) or any
# reported line fails the test.
execute_process(
    COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target all_qmllint
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REGEX MATCHALL "(^|\n)(Warning|Error|Info): [^\n]*" findings "${out}\n${err}")
list(LENGTH findings count)
if(NOT rc EQUAL 0 OR count GREATER 0)
    message(FATAL_ERROR "qmllint: exit code ${rc}, ${count} finding(s):\n${out}\n${err}")
endif()
message(STATUS "qmllint: every QML file of Spidi.Ui is clean")
