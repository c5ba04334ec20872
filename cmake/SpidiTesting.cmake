# spidi_add_test(<name> SOURCES ... [LIBS ...] LABELS unit|integration|e2e [TIMEOUT s]
#                [NEEDS_SERVERS])
# One Qt Test executable per unit, registered with CTest under its labels. NEEDS_SERVERS: the
# suite starts redis-server or PostgreSQL, so it runs inside the backing_servers fixture
# (tests/fixtures).
function(spidi_add_test name)
    cmake_parse_arguments(ARG "NEEDS_SERVERS" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
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
    if(ARG_NEEDS_SERVERS)
        set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED backing_servers)
    endif()
endfunction()
