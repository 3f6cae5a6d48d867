# Installs the goray component into a fresh prefix and checks that the installed
# goray-scan uses the runtime headers and clang's builtin headers installed beside it,
# and scans a golden case to its golden IDL.
#   cmake -DBUILD_DIR=... -DPREFIX=... -DLLVM_MAJOR=19 -DCASE_DIR=tests/golden/driver
#         -DGOLDEN=tests/golden/driver/driver.idl.json -P check_installed.cmake
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${PREFIX}")
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --component goray --prefix "${PREFIX}")

run("${PREFIX}/bin/goray-scan" --print-paths)
foreach(line IN ITEMS "goray-include: ${PREFIX}/include (executable)"
                      "resource-dir: ${PREFIX}/lib/clang/${LLVM_MAJOR} (executable)")
  string(FIND "${out}" "${line}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the installed goray-scan does not use its prefix: expected "
                        "'${line}' in:\n${out}")
  endif()
endforeach()

run("${PREFIX}/bin/goray-scan" "${CASE_DIR}" -o "${PREFIX}/case.idl.json")
file(READ "${PREFIX}/case.idl.json" scanned)
file(READ "${GOLDEN}" golden)
if(NOT scanned STREQUAL golden)
  message(FATAL_ERROR "the installed goray-scan's IDL of ${CASE_DIR} differs from ${GOLDEN}")
endif()
message(STATUS "installed goray-scan in ${PREFIX}: its own headers, golden IDL")
