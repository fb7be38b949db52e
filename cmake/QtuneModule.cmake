# qtune_add_module(NAME DEPS <qtune modules> LIBS <third-party targets>)
# One static library per part of DESIGN.md. Sources are every .cc under src/<NAME>/,
# public headers live in include/qtune/<NAME>/. Links follow the dependency arrows only;
# scripts/check-includes enforces the same arrows for #include lines.
function(qtune_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;LIBS;PRIVATE_LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  add_library(qtune_${name} STATIC ${sources})
  add_library(qtune::${name} ALIAS qtune_${name})
  target_include_directories(qtune_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  list(TRANSFORM ARG_DEPS PREPEND qtune:: OUTPUT_VARIABLE deps)
  target_link_libraries(qtune_${name} PUBLIC ${deps} ${ARG_LIBS} PRIVATE qtune_flags ${ARG_PRIVATE_LIBS})
endfunction()

# qtune_add_test_suite(MODULE) builds tests/<MODULE>/*_test.cc into one GoogleTest binary.
function(qtune_add_test_suite module)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${module}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(qtune_${module}_tests ${sources})
  target_include_directories(qtune_${module}_tests PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  # cli has no library: its tests drive the qtune binary (QTUNE_CLI).
  set(module_lib "")
  if(TARGET qtune::${module})
    set(module_lib qtune::${module})
  endif()
  target_link_libraries(qtune_${module}_tests PRIVATE ${module_lib} qtune_test_support
                        GTest::gtest GTest::gmock GTest::gtest_main qtune_flags ${ARGN})
  # Under the sanitizers the test code is compiled unoptimised: it was 818 of the 1297 CPU
  # seconds of that build, 358 at -O0. Not agent's: its tests instantiate Eigen's templates,
  # and the linker may keep their -O0 copies for the library too (its tests ran 3-4x slower).
  if(QTUNE_SANITIZE AND NOT module STREQUAL "agent")
    target_compile_options(qtune_${module}_tests PRIVATE -O0)
  endif()
  # The suites drive the qtune binary (QTUNE_CLI), all but exec's: building qtune_exec_tests
  # alone (the tsan preset) then compiles exec and what it links, not every part of the CLI.
  if(NOT module STREQUAL "exec")
    add_dependencies(qtune_${module}_tests qtune)
  endif()
  # One ctest entry per test file (its suites, by --gtest_filter) rather than per test: suite
  # fixtures such as PyTorch-written weight files are then made once per suite, not once per
  # test, while ctest -j still runs the files in parallel.
  #
  # A file that instantiates its parameterised suites more than once (one instantiation per
  # executor, say) gets one entry per instantiation instead, named after it in lower case
  # (exec/executor_conformance_test/slurm), so that each can require its own fixture; its
  # plain TEST/TEST_F suites, if any, keep the file's own entry.
  foreach(source ${sources})
    file(READ ${source} text)
    get_filename_component(name ${source} NAME_WE)
    string(REGEX MATCHALL "INSTANTIATE_TEST_SUITE_P\\([ \n]*[A-Za-z0-9_]+" instances "${text}")
    list(TRANSFORM instances REPLACE "INSTANTIATE_TEST_SUITE_P\\([ \n]*" "")
    list(LENGTH instances instance_count)
    set(suite_regex "TEST(_F|_P)?\\([ \n]*")
    if(instance_count GREATER 1)
      foreach(instance ${instances})
        string(TOLOWER ${instance} instance_name)
        add_test(NAME ${module}/${name}/${instance_name}
                 COMMAND qtune_${module}_tests --gtest_filter=${instance}/* --gtest_brief=1)
        qtune_passive_openmp(${module} ${module}/${name}/${instance_name})
      endforeach()
      set(suite_regex "TEST(_F)?\\([ \n]*")
    endif()
    string(REGEX MATCHALL "${suite_regex}[A-Za-z0-9_]+" suites "${text}")
    list(TRANSFORM suites REPLACE "${suite_regex}" "")
    list(REMOVE_DUPLICATES suites)
    if(NOT suites)
      continue()
    endif()
    set(filter "")
    foreach(suite ${suites})
      string(APPEND filter "${suite}.*:*/${suite}.*:")
    endforeach()
    add_test(NAME ${module}/${name} COMMAND qtune_${module}_tests --gtest_filter=${filter} --gtest_brief=1)
    qtune_passive_openmp(${module} ${module}/${name})
  endforeach()
endfunction()

# A test process running OpenMP (oneDNN, Eigen) in-process waits passively, as the qtune
# binary does (qtune/metrics/threads.h): with ctest -j2 on two cores, spinning OpenMP
# barriers of one test take the CPU the other test's threads need (an Inception parity test
# ran 45 s instead of 30 beside a build). Not for cli and exec, whose tests check what a
# trial inherits and what the qtune binary chooses when nothing is set.
function(qtune_passive_openmp module test)
  if(NOT module MATCHES "^(cli|exec)$")
    set_tests_properties(${test} PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=passive")
  endif()
endfunction()
