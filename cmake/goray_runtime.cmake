# Which runtime an application links when goray_add_app comes from goray's CMake package:
# the prebuilt archive (lib/libgoray_runtime.a: a fast first build), or the runtime compiled
# from the sources the package ships, inside the user's build, with the user's compiler and
# flags (as nanobind builds libnanobind). The archive is compiled with one compiler and one
# set of standard-library settings; a unit compiled with others (_GLIBCXX_USE_CXX11_ABI=0,
# _GLIBCXX_DEBUG, libc++, an older libstdc++, ThreadSanitizer or MemorySanitizer) cannot
# share std::string and friends with it. See docs/cmake.md, "Compilers and flags".
#
# GORAY_RUNTIME_FROM_SOURCE (a cache variable, set in gorayConfig.cmake):
#   AUTO (default)  the archive, unless the check below says it cannot fit; then the sources
#   ON              always the sources
#   OFF             always the archive; configuring fails if it cannot fit
# The check compiles goray/detail/toolchain_check.h, the header every application unit
# includes, with the prebuilt archive's definitions and the flags the target will get at
# configure time; flags added to the target afterwards meet the same header at build time.
include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/goray_backtrace.cmake")

# Sets `out` to why `prebuilt` cannot be linked by code compiled in this directory with
# the current flags, or to "" when it can. Cached per compiler and flags: one try_compile
# per distinct configuration, none on a re-configure.
function(_goray_prebuilt_misfit prebuilt include_dir out)
  set(flags "")
  get_target_property(prebuilt_definitions ${prebuilt} INTERFACE_COMPILE_DEFINITIONS)
  foreach(definition IN LISTS prebuilt_definitions)
    if(definition MATCHES "^GORAY_PREBUILT")
      list(APPEND flags "-D${definition}")
    endif()
  endforeach()
  # add_compile_definitions()/add_compile_options() of this directory reach the target too
  # (generator expressions cannot be evaluated here: those are left to the header's net).
  get_directory_property(directory_definitions COMPILE_DEFINITIONS)
  get_directory_property(directory_options COMPILE_OPTIONS)
  foreach(definition IN LISTS directory_definitions)
    if(NOT definition MATCHES "\\$<")
      list(APPEND flags "-D${definition}")
    endif()
  endforeach()
  foreach(option IN LISTS directory_options)
    if(NOT option MATCHES "\\$<")
      list(APPEND flags "${option}")
    endif()
  endforeach()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  string(SHA1 key "${CMAKE_CXX_COMPILER};${CMAKE_CXX_FLAGS};${CMAKE_CXX_FLAGS_${config}};${flags};${include_dir}")
  if(DEFINED _GORAY_PREBUILT_MISFIT_${key})
    set(reason "${_GORAY_PREBUILT_MISFIT_${key}}")
  else()
    # The build type's flags count (CMAKE_CXX_FLAGS_RELEASE may set the ABI); no link step.
    if(CMAKE_BUILD_TYPE)
      set(CMAKE_TRY_COMPILE_CONFIGURATION "${CMAKE_BUILD_TYPE}")
    endif()
    set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
    try_compile(fits
      SOURCE_FROM_CONTENT goray_toolchain_check.cpp
        "#include <goray/detail/toolchain_check.h>\nint goray_toolchain_check() { return 0; }\n"
      COMPILE_DEFINITIONS ${flags}
      CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${include_dir}"
      CXX_STANDARD 20
      CXX_STANDARD_REQUIRED ON
      OUTPUT_VARIABLE output)
    if(fits)
      set(reason "")
    elseif(output MATCHES "goray: ([^\"\n]*): configure with")
      set(reason "${CMAKE_MATCH_1}")
    else()
      # Not the header's refusal: let the runtime's own compilation show what is wrong.
      set(reason "the compiler check of goray's headers failed (see CMakeConfigureLog.yaml)")
    endif()
    set(_GORAY_PREBUILT_MISFIT_${key} "${reason}" CACHE INTERNAL "goray: why the prebuilt runtime cannot fit")
  endif()
  set(${out} "${reason}" PARENT_SCOPE)
endfunction()

# Adds <target>_goray_runtime, the runtime compiled from `source_dir` for `target`: with its
# compiler, CMAKE_CXX_FLAGS, and the target's own compile definitions and options (also
# those added after goray_add_app), so both sides of every std::string agree.
function(_goray_add_runtime_from_source target source_dir include_dir out)
  set(runtime ${target}_goray_runtime)
  # Only the module folders' sources: a package installed over an older one keeps that
  # one's flat src/*.cpp, which would define everything twice.
  file(GLOB sources "${source_dir}/src/*/*.cpp")
  if(NOT sources)
    message(FATAL_ERROR "goray_add_app: ${target} needs the runtime built from source, but this "
                        "goray package has no runtime sources in ${source_dir}/src")
  endif()
  add_library(${runtime} STATIC EXCLUDE_FROM_ALL ${sources})
  target_include_directories(${runtime} PUBLIC "${include_dir}")
  # The runtime's private headers, included by their module folder ("calls_in/dispatcher.h").
  target_include_directories(${runtime} PRIVATE "${source_dir}/src")
  if(IS_DIRECTORY "${source_dir}/include")
    # Third-party headers only the runtime's sources include (nlohmann/json), when bundled.
    target_include_directories(${runtime} PRIVATE "${source_dir}/include")
  endif()
  target_compile_features(${runtime} PUBLIC cxx_std_20)
  target_compile_definitions(${runtime} PUBLIC MSGPACK_NO_BOOST
                             PRIVATE "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  # -w: the runtime's warnings are goray's business, not the user's (nor their -Werror's).
  target_compile_options(${runtime} PRIVATE "$<TARGET_PROPERTY:${target},COMPILE_OPTIONS>" -w)
  target_link_libraries(${runtime} PUBLIC Threads::Threads ${CMAKE_DL_LIBS})
  # Crash reports: this toolchain's libbacktrace when it has one (else glibc's backtrace()).
  goray_find_libbacktrace(backtrace_library backtrace_include)
  if(backtrace_library)
    target_compile_definitions(${runtime} PRIVATE GORAY_HAVE_LIBBACKTRACE=1)
    target_include_directories(${runtime} SYSTEM PRIVATE "${backtrace_include}")
    target_link_libraries(${runtime} PUBLIC "${backtrace_library}")
  endif()
  set_target_properties(${runtime} PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_EXTENSIONS OFF)
  set(${out} ${runtime} PARENT_SCOPE)
endfunction()

# Sets `out` to the runtime target `target` links: `prebuilt`, or one compiled from source.
function(_goray_choose_runtime target prebuilt source_dir include_dir out)
  set(mode "${GORAY_RUNTIME_FROM_SOURCE}")
  if(mode STREQUAL "")
    set(mode AUTO)
  endif()
  string(TOUPPER "${mode}" mode)
  if(NOT mode STREQUAL "AUTO")
    if(mode)
      set(mode ON)
    else()
      set(mode OFF)
    endif()
  endif()
  if(mode STREQUAL "ON")
    set(why "as GORAY_RUNTIME_FROM_SOURCE=ON asks")
  else()
    _goray_prebuilt_misfit(${prebuilt} "${include_dir}" reason)
    if(reason STREQUAL "")
      set(${out} ${prebuilt} PARENT_SCOPE)
      return()
    elseif(mode STREQUAL "OFF")
      message(FATAL_ERROR "goray_add_app: ${target} cannot link goray's prebuilt runtime: "
                          "${reason}; GORAY_RUNTIME_FROM_SOURCE=OFF forbids building it from "
                          "source (set it to AUTO or ON)")
    endif()
    set(why "because ${reason} (GORAY_RUNTIME_FROM_SOURCE=AUTO)")
  endif()
  message(STATUS "goray: ${target} links the goray runtime built from source, ${why}")
  _goray_add_runtime_from_source(${target} "${source_dir}" "${include_dir}" runtime)
  set(${out} ${runtime} PARENT_SCOPE)
endfunction()
