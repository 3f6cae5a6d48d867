# goray_add_app(): builds a goray application library from C++ sources plus the code
# goray-gen generates from them. Used in-tree (cmake/goray.cmake) and from the installed
# package (gorayConfig.cmake); both first describe the tools with _goray_set_tools().
#
#   goray_add_app(<target> SOURCES <file>...
#                 [NAME <name>]           # generated files' name, the Python module's
#                                         # (default: <target>)
#                 [NAMESPACE <ns>]        # the C++ wrappers' namespace (default: <name>)
#                 [STUBS_DIR <dir>]       # where the stubs go: <name>.py, <name>.pyi,
#                                         # _<name>_types.pyi (default: the binary dir)
#                 [ROOT <dir>]            # the sources' root (default: their common directory)
#                 [CLANG_ARGS <arg>...]   # extra flags for the scan only
#                 [NO_PRECOMPILED_HEADER]) # no precompiled <goray/goray.h>
#
# Builds ${CMAKE_CURRENT_BINARY_DIR}/lib<target>.so: C++20, -O2 -g1 when no build type is set,
# only the GoRay C ABI exported; and its typed in-process entries, the CPython extension
# module _<name>_entries beside <name>.py (goray_entries.cmake). goray-gen scans every C++ header and source file in
# SOURCES; each source file is compiled through its generated unit, which #includes it
# (so the file itself is not a source of the library, only a dependency of the
# generation), and <name>.goray.cpp is the table calling the units' registrations. The
# sources are not read at configure time. <goray/goray.h> is precompiled (unless
# NO_PRECOMPILED_HEADER). See docs/cmake.md.
include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/goray_runtime.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/goray_entries.cmake")

# Records the tools goray_add_app uses (global properties, so any directory sees them).
#   PYTHON      the Python that runs goray-gen (absolute)
#   EMULATOR    what runs PYTHON when it is the target's program (a cross build against
#               the target's installed goray: CMAKE_CROSSCOMPILING_EMULATOR), or ""
#   PYTHONPATH  prepended to PYTHONPATH when it runs (in-tree: <repo>/python), or ""
#   SCANNER     goray-scan (a path, or $<TARGET_FILE:goray-scan> in-tree)
#   SCANNER_TARGET  in-tree: the goray-scan target, so it is built first
#   INCLUDE_DIR the directory holding <goray/goray.h>
#   RUNTIME     the runtime library target to link
#   EXPORTS_MAP the linker version script exporting only the C ABI
#   GEN_DEPENDS goray-gen's own files (its modules and templates): a change regenerates
#   RUNTIME_SOURCE_DIR  the package only: the runtime's sources (src/, and include/ with
#               their private third-party headers when bundled), compiled in the user's
#               build when RUNTIME, the prebuilt archive, does not fit (goray_runtime.cmake)
function(_goray_set_tools)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
                        "PYTHON;PYTHONPATH;SCANNER;SCANNER_TARGET;INCLUDE_DIR;RUNTIME;EXPORTS_MAP;RUNTIME_SOURCE_DIR"
                        "GEN_DEPENDS;EMULATOR")
  foreach(key PYTHON EMULATOR PYTHONPATH SCANNER SCANNER_TARGET INCLUDE_DIR RUNTIME EXPORTS_MAP GEN_DEPENDS
              RUNTIME_SOURCE_DIR)
    set_property(GLOBAL PROPERTY GORAY_TOOL_${key} "${arg_${key}}")
  endforeach()
endfunction()

function(_goray_tool key out)
  get_property(value GLOBAL PROPERTY GORAY_TOOL_${key})
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# The deepest directory holding every file of `files` (absolute paths).
function(_goray_common_directory out)
  set(common "")
  foreach(file IN LISTS ARGN)
    cmake_path(GET file PARENT_PATH directory)
    if(common STREQUAL "")
      set(common "${directory}")
      continue()
    endif()
    while(TRUE)
      string(FIND "${directory}/" "${common}/" position)
      if(position EQUAL 0 OR common STREQUAL "/")
        break()
      endif()
      cmake_path(GET common PARENT_PATH common)
    endwhile()
  endforeach()
  set(${out} "${common}" PARENT_SCOPE)
endfunction()

function(goray_add_app target)
  set(options NO_PRECOMPILED_HEADER)
  set(one_value NAME NAMESPACE STUBS_DIR ROOT)
  set(multi_value SOURCES CLANG_ARGS)
  cmake_parse_arguments(PARSE_ARGV 1 arg "${options}" "${one_value}" "${multi_value}")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "goray_add_app: unknown argument(s): ${arg_UNPARSED_ARGUMENTS} "
                        "(keywords: SOURCES, NAME, NAMESPACE, STUBS_DIR, ROOT, CLANG_ARGS, "
                        "NO_PRECOMPILED_HEADER)")
  endif()
  foreach(keyword IN LISTS arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "goray_add_app: ${keyword} needs a value")
  endforeach()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "goray_add_app: SOURCES is required")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "goray_add_app: a target named ${target} already exists")
  endif()
  set(name "${target}")
  if(DEFINED arg_NAME)
    set(name "${arg_NAME}")
  endif()
  if(NOT name MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
    message(FATAL_ERROR "goray_add_app: NAME '${name}' is not a plain file name")
  endif()
  set(namespace_option "")
  if(DEFINED arg_NAMESPACE)
    # goray-gen checks the rest (keywords, reserved names); this keeps the command sane.
    if(NOT arg_NAMESPACE MATCHES "^(::)?[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$")
      message(FATAL_ERROR "goray_add_app: NAMESPACE '${arg_NAMESPACE}' is not a C++ namespace "
                          "name (identifiers joined by ::, like riskray::gen)")
    endif()
    set(namespace_option --namespace "${arg_NAMESPACE}")
  endif()
  set(stubs_dir "${CMAKE_CURRENT_BINARY_DIR}")
  if(DEFINED arg_STUBS_DIR)
    cmake_path(ABSOLUTE_PATH arg_STUBS_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
               NORMALIZE OUTPUT_VARIABLE stubs_dir)
  endif()

  _goray_tool(PYTHON python)
  if(python STREQUAL "")
    message(FATAL_ERROR "goray_add_app: goray's tools are not set up: use find_package(goray "
                        "CONFIG REQUIRED) (or include goray's cmake/goray.cmake in-tree)")
  endif()
  _goray_tool(EMULATOR emulator)
  _goray_tool(PYTHONPATH pythonpath)
  _goray_tool(SCANNER scanner)
  _goray_tool(SCANNER_TARGET scanner_target)
  _goray_tool(INCLUDE_DIR include_dir)
  _goray_tool(RUNTIME runtime)
  _goray_tool(EXPORTS_MAP exports_map)
  _goray_tool(GEN_DEPENDS gen_depends)
  _goray_tool(RUNTIME_SOURCE_DIR runtime_source_dir)

  # goray-gen scans every header and C++ source file. Each source file is compiled
  # through its own generated unit (<name>.<source as identifier>.goray.cpp, which
  # #includes it and registers what it declares), so the file names are known here
  # without reading the sources: editing one recompiles that unit only, and never
  # reconfigures.
  set(library_sources "")  # headers and files goray does not handle, compiled as usual
  set(scanned "")
  set(units "")
  set(unit_sources "")
  foreach(source IN LISTS arg_SOURCES)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
               OUTPUT_VARIABLE path)
    if(NOT EXISTS "${path}" OR IS_DIRECTORY "${path}")
      message(FATAL_ERROR "goray_add_app: source ${source} is not a file (${path})")
    endif()
    # goray-gen names units after real paths (symlinks resolved), so must this.
    file(REAL_PATH "${path}" path)
    string(TOLOWER "${path}" lower)
    if(lower MATCHES "\\.(h|hh|hpp|hxx|h\\+\\+|inl|ipp|tcc|inc)$")
      list(APPEND scanned "${path}")
      list(APPEND library_sources "${path}")
    elseif(lower MATCHES "\\.(cpp|cc|cxx|c\\+\\+)$")
      # Not a library source: its unit compiles it. (Marking it HEADER_FILE_ONLY instead
      # would be per directory: another target sharing the file would stop compiling it.)
      list(APPEND scanned "${path}")
      list(APPEND unit_sources "${path}")
    else()
      list(APPEND library_sources "${path}")
    endif()
  endforeach()
  if(NOT scanned)
    message(FATAL_ERROR "goray_add_app: no source of ${target} is a C++ header or source "
                        "file: there is nothing to scan")
  endif()
  if(DEFINED arg_ROOT)
    cmake_path(ABSOLUTE_PATH arg_ROOT BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
               OUTPUT_VARIABLE root)
    file(REAL_PATH "${root}" root)
  else()
    _goray_common_directory(root ${scanned})
  endif()

  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}_goray")
  set(stamp "${gen_dir}/${name}.stamp")
  set(depfile "${gen_dir}/${name}.d")  # files the IDL names beyond SOURCES (struct headers)
  set(generated_h "${gen_dir}/${name}.goray.h")
  set(generated_cpp "${gen_dir}/${name}.goray.cpp")
  # goray-gen names a source's unit the same way (goray.gen.naming.unit_file): the real
  # path from the real root, made an identifier byte by byte.
  foreach(path IN LISTS unit_sources)
    cmake_path(RELATIVE_PATH path BASE_DIRECTORY "${root}" OUTPUT_VARIABLE relative)
    string(MAKE_C_IDENTIFIER "${relative}" key)
    list(APPEND units "${gen_dir}/${name}.${key}.goray.cpp")
  endforeach()
  # A source's own compile properties (set_source_files_properties, before or after this
  # call, in this directory) reach the unit compiled in its place: read when the directory
  # is done.
  cmake_language(EVAL CODE "
    cmake_language(DEFER CALL _goray_carry_source_properties
                   [[${unit_sources}]] [[${units}]])")
  set(outputs "${generated_h}" "${generated_cpp}" ${units} "${gen_dir}/${name}.idl.json"
              "${gen_dir}/${name}.entries.goray.cpp"  # the typed entries' module (goray_entries.cmake)
              "${stubs_dir}/${name}.py" "${stubs_dir}/${name}.pyi"
              "${stubs_dir}/_${name}_types.pyi")  # the stub's private companion
  # goray-gen's own record of its last scan: an edit inside function bodies reuses it
  # instead of scanning again (docs/generator.md, "The scan cache").
  set(scan_cache "${gen_dir}/${name}.scan-cache.json")

  # The one command writes every output but rewrites only those whose content changed, so
  # an edit recompiles only what it changes. Its OUTPUT is the stamp alone: the Makefile
  # generators `touch` every further OUTPUT of a command after it runs (a rule per extra
  # output), which recompiled every unit after each edit.
  #  - Ninja: the outputs are BYPRODUCTS, implicit outputs of the same edge, restat after
  #    it runs (unchanged ones do not rebuild what depends on them; a missing one reruns it).
  #  - Makefiles: a BYPRODUCT has no rule, so make could neither order nor recreate it.
  #    Instead each output gets a rule of its own with no prerequisites that creates nothing
  #    (it runs only when the file is missing), and the stamp depends on the outputs: a
  #    missing output (the first build, or one deleted) reruns goray-gen; an unchanged one
  #    keeps its mtime, which make reads again after the stamp's command (and the objects
  #    are compiled by a later make invocation than the generation, the target's `build`
  #    after its `depend`).
  set(byproducts "${scan_cache}")
  set(output_depends "")
  if(CMAKE_GENERATOR MATCHES "Makefiles")
    foreach(output IN LISTS outputs)
      add_custom_command(OUTPUT "${output}" COMMAND "${CMAKE_COMMAND}" -E true COMMENT "" VERBATIM)
    endforeach()
    set(output_depends ${outputs})
  else()
    list(APPEND byproducts ${outputs})
  endif()

  set(scanner_depends ${scanner_target})
  if(NOT scanner_target AND IS_ABSOLUTE "${scanner}")
    set(scanner_depends "${scanner}")
  endif()

  set(gen_command ${emulator} "${python}" -m goray.gen)
  if(NOT pythonpath STREQUAL "")
    set(gen_command "${CMAKE_COMMAND}" -E env "PYTHONPATH=${pythonpath}" ${gen_command})
  endif()
  # The scan sees the target's own include directories and definitions (those of the
  # runtime and any added later with target_include_directories too).
  set(includes "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(definitions "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${byproducts}
    COMMAND ${gen_command} ${scanned} -o "${gen_dir}" --name "${name}" ${namespace_option}
            --root "${root}"
            --stubs-dir "${stubs_dir}" --scanner "${scanner}" --goray-include "${include_dir}"
            --stamp "${stamp}" --depfile "${depfile}" --scan-cache "${scan_cache}" --
            "$<$<BOOL:${includes}>:-I$<JOIN:${includes},;-I>>"
            "$<$<BOOL:${definitions}>:-D$<JOIN:${definitions},;-D>>"
            ${arg_CLANG_ARGS}
    DEPENDS ${scanned} ${scanner_depends} ${gen_depends} ${output_depends}
    DEPFILE "${depfile}"
    COMMENT "goray-gen: scanning the sources of ${target}"
    VERBATIM COMMAND_EXPAND_LISTS)

  # The stamp is a source too: it attaches the command to the target.
  add_library(${target} SHARED ${library_sources} "${stamp}" "${generated_cpp}" "${generated_h}"
              ${units})
  target_include_directories(${target} PRIVATE "${root}" "${gen_dir}")
  target_compile_features(${target} PRIVATE cxx_std_20)
  if(NOT arg_NO_PRECOMPILED_HEADER)
    # Every unit includes <goray/goray.h>, which costs more to parse than a unit's own code:
    # parsed once into a precompiled header, an edit recompiles one unit in a fraction of
    # the time. (It is included first in every C++ file of the target.) -fpch-preprocess
    # lets ccache cache GCC's compiles that use it (with CCACHE_SLOPPINESS=pch_defines,
    # time_macros; without, ccache runs the compiler every time); it changes nothing else.
    target_precompile_headers(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:<goray/goray.h>>")
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANG_AND_ID:CXX,GNU>:-fpch-preprocess>")
  endif()
  if(NOT runtime_source_dir STREQUAL "")
    # The package: the prebuilt archive, or the runtime compiled here with this target's
    # compiler and flags when the archive cannot fit them (goray_runtime.cmake).
    _goray_choose_runtime(${target} "${runtime}" "${runtime_source_dir}" "${include_dir}" runtime)
  endif()
  target_link_libraries(${target} PRIVATE ${runtime})
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
    POSITION_INDEPENDENT_CODE ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${exports_map}"
    GORAY_GENERATED_DIR "${gen_dir}"
    GORAY_STUBS_DIR "${stubs_dir}"
    GORAY_NAME "${name}")
  # The C ABI lives in the runtime's static library: -u pulls it in even when the
  # application's code references nothing that would.
  target_link_options(${target} PRIVATE "LINKER:--version-script=${exports_map}"
                      "LINKER:--no-undefined" "LINKER:-u,Execute" "LINKER:-u,FreeMemory"
                      "LINKER:-u,RegisterCallback")
  if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    # -g1: line tables only, so that a crash report names file:line (docs/performance.md:
    # the build takes as long, the library is ~40% bigger, its code unchanged).
    target_compile_options(${target} PRIVATE -O2 -g1)
    target_compile_definitions(${target} PRIVATE NDEBUG)
  endif()
  _goray_add_entries(${target} "${name}" "${gen_dir}" "${stubs_dir}" "${python}" "${emulator}")
endfunction()

# Copies each source's COMPILE_OPTIONS, COMPILE_DEFINITIONS and INCLUDE_DIRECTORIES to the
# generated unit that compiles it (a unit with options of its own skips the target's
# precompiled header, which was built without them).
function(_goray_carry_source_properties sources units)
  foreach(source unit IN ZIP_LISTS sources units)
    set(own FALSE)
    foreach(property COMPILE_OPTIONS COMPILE_DEFINITIONS INCLUDE_DIRECTORIES)
      get_source_file_property(value "${source}" ${property})
      if(value)
        set_property(SOURCE "${unit}" APPEND PROPERTY ${property} ${value})
        set(own TRUE)
      endif()
    endforeach()
    if(own)
      set_source_files_properties("${unit}" PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()
