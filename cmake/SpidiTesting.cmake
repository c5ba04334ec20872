# spidi_add_test(<name> SOURCES ... [LIBS ...] LABELS unit|integration|e2e [TIMEOUT s])
# One Qt Test executable per unit, registered with CTest under its labels.
function(spidi_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    qt_add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
    spidi_set_warnings(${name})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set_tests_properties(${name} PROPERTIES
        LABELS "${ARG_LABELS}"
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;SPIDI_SOURCE_DIR=${PROJECT_SOURCE_DIR};SPIDI_SERVER_BIN=$<TARGET_FILE:spidi-server>")
endfunction()
