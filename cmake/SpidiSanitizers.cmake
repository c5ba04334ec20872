# Sanitizer and fuzzing builds (docs/testing.md, "Sanitizers and fuzzing"; run by scripts/sanitize).
#
# SPIDI_SANITIZE=ON: every target (libraries, executables, tests) is built and linked with
# AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer. Undefined behaviour
# aborts instead of printing and carrying on, so a test that hits it fails.
# SPIDI_FUZZ=ON (needs SPIDI_SANITIZE and clang): also builds the libFuzzer targets of
# tests/fuzz. Only the fuzzers and the sources they exercise get coverage instrumentation, so
# the rest of the sanitized build (and its test suite) does not pay for it.
option(SPIDI_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(SPIDI_FUZZ "Build the libFuzzer targets in tests/fuzz (clang, with SPIDI_SANITIZE)" OFF)

if(SPIDI_SANITIZE)
    set(SPIDI_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
    add_compile_options(${SPIDI_SANITIZER_FLAGS} -fno-omit-frame-pointer)
    add_link_options(${SPIDI_SANITIZER_FLAGS})
endif()

if(SPIDI_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "SPIDI_FUZZ needs clang (libFuzzer): configure with "
                            "-DCMAKE_CXX_COMPILER=clang++ (Debian: clang, libclang-rt-14-dev)")
    endif()
    if(NOT SPIDI_SANITIZE)
        message(FATAL_ERROR "SPIDI_FUZZ needs SPIDI_SANITIZE=ON: the fuzzers look for memory "
                            "errors and undefined behaviour, not only crashes")
    endif()
endif()
