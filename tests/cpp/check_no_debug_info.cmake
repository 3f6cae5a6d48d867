# cmake -DREADELF=<readelf> -DFILE=<archive or library> -P check_no_debug_info.cmake
# Fails when FILE (every member of an archive) has a .debug_* section: the runtime archive
# that goray's CMake package gives applications must not carry debug info (docs/cmake.md).
execute_process(COMMAND "${READELF}" -S --wide "${FILE}" OUTPUT_VARIABLE sections
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${READELF} -S ${FILE} failed (${status})")
endif()
if(NOT sections MATCHES "\\.text")
  message(FATAL_ERROR "${FILE}: readelf listed no sections at all:\n${sections}")
endif()
string(REGEX MATCHALL "\\.debug_[a-z_.]+" debug_sections "${sections}")
if(debug_sections)
  list(REMOVE_DUPLICATES debug_sections)
  message(FATAL_ERROR "${FILE} carries debug info: ${debug_sections}")
endif()
message(STATUS "${FILE}: no .debug_* sections")
