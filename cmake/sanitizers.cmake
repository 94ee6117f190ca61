# Sanitizer builds: flags applied to every target of the tree, so this file is included from the
# top-level CMakeLists.txt before any add_subdirectory(). At most one of these may be ON; each wants
# a build directory of its own (the objects are not interchangeable with a plain build).
#
#   EPSYNC_ASAN  AddressSanitizer + UndefinedBehaviorSanitizer (g++ or clang). Any UB report is
#                fatal (-fno-sanitize-recover=undefined), so a test cannot pass over one.
#   EPSYNC_TSAN  ThreadSanitizer (g++ or clang). For g++, -Wno-tsan silences Asio's
#                "atomic_thread_fence is not supported with -fsanitize=thread" warning.
#   EPSYNC_FUZZ  libFuzzer coverage + ASan + UBSan on every target, clang only; fuzz/ then also
#                builds the libFuzzer executables (fuzz/run.sh configures this for you).
#
#   cmake -S . -B build-asan -G Ninja -DEPSYNC_ASAN=ON && cmake --build build-asan -j2
#   ASAN_OPTIONS=... UBSAN_OPTIONS=... ctest --test-dir build-asan -j2 --output-on-failure
# (the runtime options CI should use are in fuzz/README.md).

option(EPSYNC_ASAN "Build everything with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(EPSYNC_TSAN "Build everything with ThreadSanitizer" OFF)
option(EPSYNC_FUZZ "Build with libFuzzer instrumentation (+ASan/UBSan) and the fuzz/ targets; needs clang" OFF)

set(_epsync_sanitizers_on 0)
foreach(_opt EPSYNC_ASAN EPSYNC_TSAN EPSYNC_FUZZ)
  if(${_opt})
    math(EXPR _epsync_sanitizers_on "${_epsync_sanitizers_on} + 1")
  endif()
endforeach()
if(_epsync_sanitizers_on GREATER 1)
  message(FATAL_ERROR "EPSYNC_ASAN, EPSYNC_TSAN and EPSYNC_FUZZ are mutually exclusive: "
                      "configure one build directory per sanitizer")
endif()

if(EPSYNC_ASAN)
  message(STATUS "epsync: AddressSanitizer + UndefinedBehaviorSanitizer on every target")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(EPSYNC_TSAN)
  message(STATUS "epsync: ThreadSanitizer on every target")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
  add_link_options(-fsanitize=thread)
elseif(EPSYNC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EPSYNC_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  message(STATUS "epsync: libFuzzer coverage + ASan + UBSan on every target")
  # fuzzer-no-link: coverage instrumentation everywhere; only the fuzz executables link libFuzzer
  # itself (-fsanitize=fuzzer, in fuzz/CMakeLists.txt), so the other executables still link.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
unset(_epsync_sanitizers_on)
