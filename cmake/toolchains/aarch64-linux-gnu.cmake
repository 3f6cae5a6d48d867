# A CMake toolchain file for cross-compiling to aarch64 Linux (glibc) from an x86-64 Linux
# machine with clang and lld, against a sysroot of the target's libraries and headers
# (docs/install.md, "Cross-compiling for aarch64"):
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<this file> -DGORAY_SYSROOT=<sysroot> ...
#
# GORAY_SYSROOT (or the environment's GORAY_AARCH64_SYSROOT): the target's root, e.g. the
# one scripts/aarch64-sysroot.sh makes from Debian's arm64 packages. The compilers are
# clang-19 and clang++-19 (GORAY_CLANG_SUFFIX="" for plain clang and clang++), linking with
# lld; the binary tools are LLVM's, which read any target's objects.
#
# Programs of the target that the build runs (the aarch64 Python that runs goray-gen in a
# project built against an aarch64 goray wheel, GoogleTest's test discovery) run through
# CMAKE_CROSSCOMPILING_EMULATOR: qemu-user, which binfmt_misc starts for every aarch64
# program (scripts/aarch64-emulation.sh registers it), finding the target's loader and
# libraries in the sysroot through QEMU_LD_PREFIX. GORAY_EMULATOR overrides it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

if(NOT GORAY_SYSROOT AND DEFINED ENV{GORAY_AARCH64_SYSROOT})
  set(GORAY_SYSROOT "$ENV{GORAY_AARCH64_SYSROOT}")
endif()
if(NOT GORAY_SYSROOT OR NOT EXISTS "${GORAY_SYSROOT}/usr/include")
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: set -DGORAY_SYSROOT=<an aarch64 sysroot> (or "
                      "GORAY_AARCH64_SYSROOT in the environment); '${GORAY_SYSROOT}' has no "
                      "usr/include (scripts/aarch64-sysroot.sh makes one)")
endif()
# Passed on to the try_compile projects CMake configures with this file.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES GORAY_SYSROOT GORAY_CLANG_SUFFIX GORAY_EMULATOR)
set(CMAKE_SYSROOT "${GORAY_SYSROOT}")
# Libraries, headers and packages from the sysroot only; programs from this machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)


if(NOT DEFINED GORAY_CLANG_SUFFIX)
  set(GORAY_CLANG_SUFFIX "-19")
endif()
set(_goray_triple aarch64-linux-gnu)
set(CMAKE_C_COMPILER "clang${GORAY_CLANG_SUFFIX}")
set(CMAKE_C_COMPILER_TARGET ${_goray_triple})
set(CMAKE_CXX_COMPILER "clang++${GORAY_CLANG_SUFFIX}")
set(CMAKE_CXX_COMPILER_TARGET ${_goray_triple})
foreach(_goray_kind IN ITEMS EXE SHARED MODULE)
  set(CMAKE_${_goray_kind}_LINKER_FLAGS_INIT "-fuse-ld=lld")
endforeach()
foreach(_goray_tool IN ITEMS AR RANLIB NM OBJCOPY OBJDUMP READELF STRIP)
  string(TOLOWER "${_goray_tool}" _goray_name)
  find_program(CMAKE_${_goray_tool} NAMES "llvm-${_goray_name}${GORAY_CLANG_SUFFIX}" "llvm-${_goray_name}"
               REQUIRED)
endforeach()

if(NOT DEFINED GORAY_EMULATOR)
  set(GORAY_EMULATOR "/usr/bin/env;QEMU_LD_PREFIX=${GORAY_SYSROOT}")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${GORAY_EMULATOR}")
