# goray's CMake package, from goray's own build (the top-level CMakeLists.txt includes
# this after runtime/ and generator/):
#   - goray_add_app() for this tree's examples and tests (in-tree tools: the goray-scan
#     target, the repository's python/);
#   - a package config for this build tree, ${PROJECT_BINARY_DIR}/goray-config, for
#     projects that find_package(goray) against a build tree;
#   - install rules (component "goray"): headers, libgoray_runtime.a, goray-scan and
#     the package config in <prefix>/lib/cmake/goray, e.g.
#         cmake --install build --component goray --prefix .venv
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(GORAY_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(GORAY_REPO_DIR "${PROJECT_SOURCE_DIR}")

# The Python that runs goray-gen: -DGORAY_PYTHON=..., else Python3_EXECUTABLE, else the
# repository's .venv, else any Python 3 found. It needs Jinja2 and msgpack.
if(NOT GORAY_PYTHON)
  if(Python3_EXECUTABLE)
    set(_goray_python "${Python3_EXECUTABLE}")
  elseif(EXISTS "${GORAY_REPO_DIR}/.venv/bin/python")
    set(_goray_python "${GORAY_REPO_DIR}/.venv/bin/python")
  else()
    find_package(Python3 COMPONENTS Interpreter)
    set(_goray_python "${Python3_EXECUTABLE}")
  endif()
  set(GORAY_PYTHON "${_goray_python}" CACHE FILEPATH "The Python that runs goray-gen")
endif()
# A wheel build (scikit-build-core) runs in an isolated environment and generates nothing
# with this Python: only in-tree goray_add_app (examples, tests) needs it to run goray-gen.
if(NOT SKBUILD)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${GORAY_REPO_DIR}/python"
                          "${GORAY_PYTHON}" -c "import jinja2, msgpack"
                  RESULT_VARIABLE _goray_python_status OUTPUT_QUIET ERROR_QUIET)
  if(NOT _goray_python_status EQUAL 0)
    message(WARNING "goray: ${GORAY_PYTHON} cannot run goray-gen (it needs Jinja2 and msgpack: "
                    "run scripts/setup.sh, or pass -DGORAY_PYTHON=<a Python that has them>)")
  endif()
endif()

include("${GORAY_CMAKE_DIR}/goray_add_app.cmake")
file(GLOB _goray_gen_depends CONFIGURE_DEPENDS
     "${GORAY_REPO_DIR}/python/goray/gen/*.py" "${GORAY_REPO_DIR}/templates/*.j2")
if(TARGET goray-scan)
  set(_goray_scanner "$<TARGET_FILE:goray-scan>")
  set(_goray_scanner_target goray-scan)
else()
  # GORAY_BUILD_SCANNER is off: a goray-scan built elsewhere (PATH, or -DGORAY_SCAN=...).
  find_program(GORAY_SCAN goray-scan DOC "goray-scan, when this tree does not build it")
  if(NOT GORAY_SCAN)
    message(WARNING "goray: goray-scan is neither built here nor on PATH: goray_add_app "
                    "will fail (set -DGORAY_SCAN=<path>)")
  endif()
  set(_goray_scanner "${GORAY_SCAN}")
  set(_goray_scanner_target "")
endif()
_goray_set_tools(
  PYTHON "${GORAY_PYTHON}"
  PYTHONPATH "${GORAY_REPO_DIR}/python"
  SCANNER "${_goray_scanner}"
  SCANNER_TARGET "${_goray_scanner_target}"
  INCLUDE_DIR "${GORAY_REPO_DIR}/runtime/include"
  RUNTIME goray::runtime
  EXPORTS_MAP "${GORAY_EXPORTS_MAP}"
  GEN_DEPENDS ${_goray_gen_depends})

# What the prebuilt runtime archive is compiled against: libstdc++'s release and string
# ABI under this tree's compiler and flags. The package's goray::runtime carries them as
# definitions that goray/detail/toolchain_check.h compares with an application's own.
string(TOUPPER "${CMAKE_BUILD_TYPE}" _goray_config)
separate_arguments(_goray_cxx_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_goray_config}}")
if(CMAKE_CXX_COMPILER_TARGET)  # a cross build's target and sysroot (a toolchain file's)
  list(APPEND _goray_cxx_flags "${CMAKE_CXX_COMPILE_OPTIONS_TARGET}${CMAKE_CXX_COMPILER_TARGET}")
endif()
if(CMAKE_SYSROOT)
  list(APPEND _goray_cxx_flags "${CMAKE_CXX_COMPILE_OPTIONS_SYSROOT}${CMAKE_SYSROOT}")
endif()
file(WRITE "${PROJECT_BINARY_DIR}/goray-package/stdlib_macros.cpp" "#include <cstddef>\n")
execute_process(COMMAND "${CMAKE_CXX_COMPILER}" ${_goray_cxx_flags} -std=c++20 -dM -E
                        "${PROJECT_BINARY_DIR}/goray-package/stdlib_macros.cpp"
                OUTPUT_VARIABLE _goray_stdlib_macros ERROR_QUIET)
set(GORAY_RUNTIME_GLIBCXX_RELEASE 0)   # 0: not libstdc++ (the header checks nothing of it)
set(GORAY_RUNTIME_CXX11_ABI 1)
if(_goray_stdlib_macros MATCHES "#define _GLIBCXX_RELEASE ([0-9]+)")
  set(GORAY_RUNTIME_GLIBCXX_RELEASE "${CMAKE_MATCH_1}")
endif()
if(_goray_stdlib_macros MATCHES "#define _GLIBCXX_USE_CXX11_ABI ([01])")
  set(GORAY_RUNTIME_CXX11_ABI "${CMAKE_MATCH_1}")
endif()

# ---- The package config of this build tree -------------------------------------------
set(_goray_build_config "${PROJECT_BINARY_DIR}/goray-config")
set(GORAY_CONFIG_LOCATIONS "# This build tree's files.
set(GORAY_PYTHON \"${GORAY_PYTHON}\")
set(GORAY_PYTHONPATH \"${GORAY_REPO_DIR}/python\")
set(GORAY_SCAN \"${_goray_scanner}\")
set(GORAY_INCLUDE_DIR \"${GORAY_REPO_DIR}/runtime/include\")
set(GORAY_RUNTIME_LIBRARY \"${GORAY_PACKAGE_RUNTIME}\")
set(GORAY_EXPORTS_MAP \"${GORAY_EXPORTS_MAP}\")
set(GORAY_ADD_APP_FILE \"${GORAY_CMAKE_DIR}/goray_add_app.cmake\")
set(GORAY_RUNTIME_SOURCE_DIR \"${GORAY_REPO_DIR}/runtime\")")
configure_file("${GORAY_CMAKE_DIR}/gorayConfig.cmake.in"
               "${PROJECT_BINARY_DIR}/goray-config.in/gorayConfig.cmake" @ONLY)
file(GENERATE OUTPUT "${_goray_build_config}/gorayConfig.cmake"
     INPUT "${PROJECT_BINARY_DIR}/goray-config.in/gorayConfig.cmake")
write_basic_package_version_file("${_goray_build_config}/gorayConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

# ---- Installation ----------------------------------------------------------------------
# Paths relative to the config's own directory (<prefix>/lib/cmake/goray), so
# `cmake --install --prefix` may choose the prefix. goray-gen's Python is not recorded (a
# wheel's build Python is a throwaway environment): it is chosen when the package is found.
set(GORAY_CONFIG_LOCATIONS "# Installed files, found from this file's directory.
get_filename_component(_goray_prefix \"\${CMAKE_CURRENT_LIST_DIR}/../../..\" ABSOLUTE)
include(\"\${CMAKE_CURRENT_LIST_DIR}/goray_python.cmake\")
_goray_find_python(\"\${_goray_prefix}\" GORAY_PYTHON GORAY_PYTHONPATH)
set(GORAY_SCAN \"\${_goray_prefix}/bin/goray-scan\")
set(GORAY_INCLUDE_DIR \"\${_goray_prefix}/include\")
set(GORAY_RUNTIME_LIBRARY \"\${_goray_prefix}/lib/libgoray_runtime.a\")
set(GORAY_EXPORTS_MAP \"\${CMAKE_CURRENT_LIST_DIR}/exports.map\")
set(GORAY_ADD_APP_FILE \"\${CMAKE_CURRENT_LIST_DIR}/goray_add_app.cmake\")
set(GORAY_RUNTIME_SOURCE_DIR \"\${_goray_prefix}/share/goray/runtime\")")
configure_file("${GORAY_CMAKE_DIR}/gorayConfig.cmake.in"
               "${PROJECT_BINARY_DIR}/goray-install-config/gorayConfig.cmake" @ONLY)
unset(GORAY_CONFIG_LOCATIONS)

install(DIRECTORY "${GORAY_REPO_DIR}/runtime/include/" DESTINATION include COMPONENT goray)
# The runtime's headers include msgpack-c's (header-only with MSGPACK_NO_BOOST): the wheel
# ships them beside its own so an application builds without libmsgpack-cxx-dev.
# With them, nlohmann/json's, which only the runtime's sources include: beside those
# sources (share/goray/runtime/include), off the application's include path.
option(GORAY_BUNDLE_MSGPACK
       "Install msgpack-c's C++ headers with the runtime's, and nlohmann/json's with its sources" OFF)
# _goray_bundle_headers(<var> <header> <debian package> <destination> <doc name> <items>...):
# installs the <items> (files or directories) of the directory holding <header> into
# <destination>, and the library's copyright file (by default its Debian package's), when
# there, into share/doc/<doc name>/copyright.
function(_goray_bundle_headers variable header debian_package destination doc_name)
  find_path(${variable} "${header}" DOC "${doc_name}'s headers")
  if(NOT ${variable})
    message(FATAL_ERROR "goray: GORAY_BUNDLE_MSGPACK is on but ${header} is not found "
                        "(install ${debian_package} or set -D${variable}=<dir>)")
  endif()
  foreach(item IN LISTS ARGN)
    if(IS_DIRECTORY "${${variable}}/${item}")
      install(DIRECTORY "${${variable}}/${item}" DESTINATION "${destination}" COMPONENT goray)
    else()
      install(FILES "${${variable}}/${item}" DESTINATION "${destination}" COMPONENT goray)
    endif()
  endforeach()
  # GORAY_MSGPACK_LICENSE, GORAY_NLOHMANN_LICENSE: where a machine without Debian's has it.
  string(REPLACE "_INCLUDE_DIR" "_LICENSE" license "${variable}")
  set(${license} "/usr/share/doc/${debian_package}/copyright" CACHE FILEPATH
      "${doc_name}'s copyright and licence file, installed with its headers")
  if(EXISTS "${${license}}")
    install(FILES "${${license}}" DESTINATION "share/doc/${doc_name}" RENAME copyright
            COMPONENT goray)
  endif()
endfunction()
if(GORAY_BUNDLE_MSGPACK)
  # msgpack-c: Boost Software License 1.0; nlohmann/json: MIT.
  _goray_bundle_headers(GORAY_MSGPACK_INCLUDE_DIR msgpack.hpp libmsgpack-cxx-dev include
                        msgpack-cxx msgpack.hpp msgpack)
  _goray_bundle_headers(GORAY_NLOHMANN_INCLUDE_DIR nlohmann/json.hpp nlohmann-json3-dev
                        share/goray/runtime/include nlohmann-json nlohmann)
endif()
# The packaged runtime (runtime/CMakeLists.txt): without debug info unless asked for.
install(FILES "${GORAY_PACKAGE_RUNTIME}" DESTINATION lib COMPONENT goray)
if(TARGET goray-scan)
  # Keep the run path to LLVM's libraries (libclang-cpp) in the installed scanner.
  set_target_properties(goray-scan PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
  install(TARGETS goray-scan RUNTIME DESTINATION bin COMPONENT goray)
endif()
install(FILES "${PROJECT_BINARY_DIR}/goray-install-config/gorayConfig.cmake"
              "${_goray_build_config}/gorayConfigVersion.cmake"
              "${GORAY_CMAKE_DIR}/goray_add_app.cmake"
              "${GORAY_CMAKE_DIR}/goray_runtime.cmake"
              "${GORAY_CMAKE_DIR}/goray_entries.cmake"
              "${GORAY_CMAKE_DIR}/goray_backtrace.cmake"
              "${GORAY_CMAKE_DIR}/goray_python.cmake"
              "${GORAY_EXPORTS_MAP}"
        DESTINATION lib/cmake/goray COMPONENT goray)
# The toolchain file for cross-compiling an application for aarch64 against an aarch64
# goray (docs/install.md, "Cross-compiling for aarch64").
install(FILES "${GORAY_CMAKE_DIR}/toolchains/aarch64-linux-gnu.cmake"
        DESTINATION lib/cmake/goray/toolchains COMPONENT goray)
