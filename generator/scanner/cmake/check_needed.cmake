# Checks that a statically linked goray-scan needs only basic system libraries at run
# time: no libclang-cpp, libLLVM or libstdc++ (libgcc_s, which every system has, stays
# shared for the glibc floor: static_llvm.cmake).
#   cmake -DREADELF=readelf -DEXECUTABLE=bin/goray-scan -P check_needed.cmake
cmake_minimum_required(VERSION 3.25)
set(allowed
  libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 ld-linux-x86-64.so.2
  ld-linux-aarch64.so.1
  libz.so.1 libzstd.so.1 libtinfo.so.6 libgcc_s.so.1)
execute_process(COMMAND "${READELF}" -d "${EXECUTABLE}"
                OUTPUT_VARIABLE dynamic RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cannot read the dynamic section of ${EXECUTABLE}")
endif()
string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" entries "${dynamic}")
set(needed)
set(unexpected)
foreach(entry IN LISTS entries)
  string(REGEX REPLACE "Shared library: \\[([^]]+)\\]" "\\1" library "${entry}")
  list(APPEND needed ${library})
  if(NOT library IN_LIST allowed)
    list(APPEND unexpected ${library})
  endif()
endforeach()
message(STATUS "${EXECUTABLE} needs: ${needed}")
if(unexpected)
  message(FATAL_ERROR "${EXECUTABLE} needs libraries a static goray-scan must not: "
                      "${unexpected} (allowed: ${allowed})")
endif()
