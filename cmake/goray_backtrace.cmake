# Finds GCC's libbacktrace (libbacktrace.a and backtrace.h, in GCC's own library
# directory), which goray's crash reports symbolize with. Sets <library> to the archive and
# <include_dir> to a directory of this build holding only a copy of backtrace.h (GCC's own
# include directory also holds its builtin headers, which must not shadow another
# compiler's), or both to "" when this toolchain has none.
include_guard(GLOBAL)

function(goray_find_libbacktrace library include_dir)
  set(found_library "")
  set(found_include "")
  # GCC's library directory: g++ knows it; clang++ shares the GCC installation it uses,
  # so asking the gcc beside it (or on PATH) finds the same files.
  # Cross-compiling (a toolchain file's target and sysroot), only the target's: the
  # build machine's gcc would give its own architecture's archive.
  set(compilers "${CMAKE_CXX_COMPILER}")
  set(target_flags "")
  if(CMAKE_CROSSCOMPILING)
    if(CMAKE_CXX_COMPILER_TARGET)
      list(APPEND target_flags "${CMAKE_CXX_COMPILE_OPTIONS_TARGET}${CMAKE_CXX_COMPILER_TARGET}")
    endif()
    if(CMAKE_SYSROOT)
      list(APPEND target_flags "${CMAKE_CXX_COMPILE_OPTIONS_SYSROOT}${CMAKE_SYSROOT}")
    endif()
  elseif(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    find_program(_goray_gcc NAMES gcc)
    if(_goray_gcc)
      list(APPEND compilers "${_goray_gcc}")
    endif()
  endif()
  foreach(compiler IN LISTS compilers)
    execute_process(COMMAND "${compiler}" ${target_flags} -print-file-name=libbacktrace.a
                    OUTPUT_VARIABLE archive OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status ERROR_QUIET)
    if(status EQUAL 0 AND IS_ABSOLUTE "${archive}" AND EXISTS "${archive}")
      cmake_path(GET archive PARENT_PATH directory)
      if(EXISTS "${directory}/include/backtrace.h")
        set(found_library "${archive}")
        set(found_include "${CMAKE_BINARY_DIR}/goray-backtrace-include")
        file(COPY "${directory}/include/backtrace.h" DESTINATION "${found_include}")
        break()
      endif()
    endif()
  endforeach()
  set(${library} "${found_library}" PARENT_SCOPE)
  set(${include_dir} "${found_include}" PARENT_SCOPE)
endfunction()
