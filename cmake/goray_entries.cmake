# An application's typed entries: the CPython extension module _<name>_entries, built
# beside <name>.py from goray-gen's <name>.entries.goray.cpp with the Python goray came with
# (docs/cmake.md, "Typed entries"; docs/protocol.md §17). The library itself never needs
# Python: without headers for that Python, the application is built without the module
# and its in-process calls take the codec path (a message says how to get them).
#
#   GORAY_TYPED_ENTRIES (ON)       OFF: no typed entries for any application
#   GORAY_PYTHON_INCLUDE_DIR       the directory of Python.h, when the Python cannot say
#                                  (a cross build: its sysconfig names the build machine's)
#   GORAY_PYTHON_EXT_SUFFIX        the module's file suffix then (.cpython-311-aarch64-linux-gnu.so)
include_guard(GLOBAL)

option(GORAY_TYPED_ENTRIES "Build each goray application's typed in-process entries" ON)

# Where `python` keeps Python.h and what its extension modules end with: asked once per
# configure and Python. Sets <out>_INCLUDE and <out>_SUFFIX, or <out>_WHY when they cannot be had.
function(_goray_python_headers python emulator out)
  if(GORAY_PYTHON_INCLUDE_DIR)
    set(include "${GORAY_PYTHON_INCLUDE_DIR}")
    set(suffix "${GORAY_PYTHON_EXT_SUFFIX}")
    if(NOT suffix)
      set(${out}_WHY "GORAY_PYTHON_INCLUDE_DIR is set but GORAY_PYTHON_EXT_SUFFIX is not" PARENT_SCOPE)
      return()
    endif()
  elseif(NOT emulator STREQUAL "")
    set(${out}_WHY "a cross build: set GORAY_PYTHON_INCLUDE_DIR and GORAY_PYTHON_EXT_SUFFIX to the target Python's" PARENT_SCOPE)
    return()
  else()
    string(MD5 key "${python}")  # (the answer is cached as one line, | between its parts)
    if(NOT DEFINED _GORAY_PYTHON_FACTS_${key})
      execute_process(
        COMMAND "${python}" -c
          "import sysconfig; print(sysconfig.get_paths()['include'] + '|' + (sysconfig.get_config_var('EXT_SUFFIX') or ''))"
        OUTPUT_VARIABLE facts RESULT_VARIABLE status ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(NOT status EQUAL 0)
        set(facts "")
      endif()
      set(_GORAY_PYTHON_FACTS_${key} "${facts}" CACHE INTERNAL "")
    endif()
    string(REPLACE "|" ";" facts "${_GORAY_PYTHON_FACTS_${key}}")
    list(LENGTH facts count)
    if(NOT count EQUAL 2)
      set(${out}_WHY "${python} did not say where its headers are" PARENT_SCOPE)
      return()
    endif()
    list(GET facts 0 include)
    list(GET facts 1 suffix)
  endif()
  if(NOT EXISTS "${include}/Python.h")
    set(${out}_WHY "${include}/Python.h does not exist" PARENT_SCOPE)
    return()
  endif()
  set(${out}_INCLUDE "${include}" PARENT_SCOPE)
  set(${out}_SUFFIX "${suffix}" PARENT_SCOPE)
endfunction()

# The typed entries' module of application library `target` (named `name`), from
# `gen_dir`/<name>.entries.goray.cpp into `stubs_dir`, compiled as the target's own code is.
function(_goray_add_entries target name gen_dir stubs_dir python emulator)
  if(NOT GORAY_TYPED_ENTRIES)
    return()
  endif()
  _goray_python_headers("${python}" "${emulator}" headers)
  if(DEFINED headers_WHY)
    get_property(told GLOBAL PROPERTY _GORAY_ENTRIES_TOLD)
    if(NOT told)
      set_property(GLOBAL PROPERTY _GORAY_ENTRIES_TOLD TRUE)
      message(WARNING "goray: the applications are built without their typed in-process entries "
                      "(in-process calls take the codec path, slower): ${headers_WHY}. Python's "
                      "headers come with python3.X-dev on Debian and Ubuntu (apt-get install "
                      "python3-dev for the system Python), and with every Python that pyenv, uv or "
                      "python.org install; or configure with -DGORAY_TYPED_ENTRIES=OFF to build "
                      "without them quietly.")
    endif()
    return()
  endif()
  string(MAKE_C_IDENTIFIER "${name}" ident)
  set(entries ${target}_entries)
  add_library(${entries} MODULE "${gen_dir}/${name}.entries.goray.cpp")
  # goray-gen writes the source as it writes the library's (the target's generation).
  add_dependencies(${entries} ${target})
  target_include_directories(${entries} PRIVATE "${headers_INCLUDE}"
                             "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  target_compile_definitions(${entries} PRIVATE "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  target_compile_options(${entries} PRIVATE "$<TARGET_PROPERTY:${target},COMPILE_OPTIONS>")
  target_compile_features(${entries} PRIVATE cxx_std_20)
  set_target_properties(${entries} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "_${ident}_entries"
    SUFFIX "${headers_SUFFIX}"
    LIBRARY_OUTPUT_DIRECTORY "${stubs_dir}"
    POSITION_INDEPENDENT_CODE ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  set_target_properties(${target} PROPERTIES GORAY_ENTRIES_TARGET ${entries})
endfunction()
