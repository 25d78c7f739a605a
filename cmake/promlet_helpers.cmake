# promlet_cc_test(NAME <name> SRCS <files...> DEPS <targets...> [LABELS <labels...>])
# Builds one GoogleTest binary and registers each test case with CTest.
# LABELS defaults to "unit".
function(promlet_cc_test)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
      PROMLET_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      PROMLET_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if("unit" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY PROMLET_UNIT_TESTS ${T_NAME})
  endif()
  gtest_discover_tests(${T_NAME}
      PROPERTIES LABELS "${T_LABELS}"
      DISCOVERY_TIMEOUT 60)
endfunction()

# promlet_fuzz(NAME <name> SRCS <files...> DEPS <targets...>)
# A libFuzzer target; only built with -DPROMLET_FUZZ=ON under clang.
function(promlet_fuzz)
  cmake_parse_arguments(F "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT PROMLET_FUZZ)
    return()
  endif()
  add_executable(${F_NAME} ${F_SRCS})
  target_link_libraries(${F_NAME} PRIVATE ${F_DEPS})
  target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY PROMLET_FUZZERS ${F_NAME})
endfunction()

# promlet_bench(NAME <name> SRCS <files...> DEPS <targets...>)
function(promlet_bench)
  cmake_parse_arguments(B "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${B_NAME} ${B_SRCS})
  target_link_libraries(${B_NAME} PRIVATE ${B_DEPS} benchmark::benchmark)
  target_compile_definitions(${B_NAME} PRIVATE PROMLET_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endfunction()

# promlet_add_subdirs(<dir>...): adds the subdirectories that exist, so modules
# can grow folders without editing a shared list in the same commit.
function(promlet_add_subdirs)
  foreach(d ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${d}/CMakeLists.txt)
      add_subdirectory(${d})
    endif()
  endforeach()
endfunction()
