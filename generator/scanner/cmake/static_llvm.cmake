# goray_scan_llvm: the Clang and LLVM libraries goray-scan links, as an INTERFACE target.
#
# GORAY_SCAN_STATIC_LLVM OFF: the shared libclang-cpp and libLLVM (the dev build).
# GORAY_SCAN_STATIC_LLVM ON: clang's and LLVM's static archives, by file, so the binary
# needs no LLVM at run time (the pip wheel's goray-scan). Debian's imported clang targets
# name the shared libLLVM in their interface, so the closure of clangTooling's clang and
# LLVM dependencies is walked here and each static archive is linked by its path, all in
# one rescanned group (the archives depend on each other in cycles). zlib and zstd are
# linked statically when their archives exist; libstdc++ too (libgcc stays shared: the
# glibc floor below).
add_library(goray_scan_llvm INTERFACE)

if(NOT GORAY_SCAN_STATIC_LLVM)
  target_link_libraries(goray_scan_llvm INTERFACE clang-cpp LLVM)
  return()
endif()

# The static archives of `roots` and of every clang/LLVM target they depend on.
function(goray_static_closure out)
  set(pending ${ARGN})
  set(seen)
  set(archives)
  while(pending)
    list(POP_FRONT pending name)
    if(name IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${name})
    set(archive "${LLVM_LIBRARY_DIR}/lib${name}.a")
    if(NOT EXISTS "${archive}")
      message(FATAL_ERROR "goray-scan: GORAY_SCAN_STATIC_LLVM needs ${archive}")
    endif()
    list(APPEND archives "${archive}")
    get_target_property(deps ${name} INTERFACE_LINK_LIBRARIES)
    foreach(dep IN LISTS deps)
      # Only the clang and LLVM components: "LLVM" (the shared library) and the system
      # libraries are left out.
      if(dep MATCHES "^(clang|LLVM)[A-Z]" AND TARGET ${dep})
        list(APPEND pending ${dep})
      endif()
    endforeach()
  endwhile()
  set(${out} ${archives} PARENT_SCOPE)
endfunction()

# What the scanner calls (Tooling, Frontend, AST, ASTMatchers, Lex, Basic), and the LLVM
# components clang's libraries are built on (their CMakeLists' LLVM_LINK_COMPONENTS:
# Debian's exports replace those with "LLVM").
llvm_map_components_to_libnames(goray_llvm_components
  support core option frontendopenmp frontendhlsl mc mcparser bitreader bitstreamreader
  profiledata binaryformat object targetparser windowsdriver demangle)
goray_static_closure(goray_static_archives
  clangTooling clangFrontend clangAST clangASTMatchers clangLex clangBasic
  ${goray_llvm_components})
list(LENGTH goray_static_archives goray_static_count)
message(STATUS "goray-scan: linking ${goray_static_count} static clang/LLVM archives")

# zlib and zstd: the archives when installed (zlib1g-dev, libzstd-dev), else shared.
find_library(GORAY_ZLIB_STATIC NAMES libz.a)
find_library(GORAY_ZSTD_STATIC NAMES libzstd.a)
set(goray_compression_libs)
foreach(library IN ITEMS GORAY_ZLIB_STATIC GORAY_ZSTD_STATIC)
  if(${library})
    list(APPEND goray_compression_libs ${${library}})
  endif()
endforeach()
if(NOT GORAY_ZLIB_STATIC)
  list(APPEND goray_compression_libs z)
endif()
if(NOT GORAY_ZSTD_STATIC)
  list(APPEND goray_compression_libs zstd)
endif()

find_package(Threads REQUIRED)
string(REPLACE ";" "," goray_static_group "${goray_static_archives}")
target_link_libraries(goray_scan_llvm INTERFACE
  "$<LINK_GROUP:RESCAN,${goray_static_group}>"
  ${goray_compression_libs} Threads::Threads ${CMAKE_DL_LIBS} rt m)
# Unused sections are dropped (LLVM's archives are built with -ffunction-sections, and so
# is goray_scanner, ../CMakeLists.txt); --as-needed keeps libraries nothing references
# (libz3, libxml2) out of NEEDED.
target_link_options(goray_scan_llvm INTERFACE
  -static-libstdc++ LINKER:--gc-sections LINKER:--as-needed)

# The glibc floor (manylinux_2_34, docs/maintainers/wheels.md "How the platform tag is
# kept"): the two symbols newer than glibc 2.34 that the static link would take.
#   arc4random (2.36), from LLVM's Support: wrapped to src/glibc_floor.cpp, whose object
#     file goes on the executable's link line whatever the archives' order.
#   _dl_find_object (2.35), from libgcc's static unwinder (libgcc_eh): libgcc is linked
#     as the shared libgcc_s.so.1 instead (no -static-libgcc), which every manylinux
#     system has and which looks the symbol up itself.
add_library(goray_scan_glibc_floor OBJECT ${CMAKE_CURRENT_SOURCE_DIR}/src/glibc_floor.cpp)
target_link_libraries(goray_scan_llvm INTERFACE $<TARGET_OBJECTS:goray_scan_glibc_floor>)
target_link_options(goray_scan_llvm INTERFACE LINKER:--wrap=arc4random)

# gold links the archives faster and in less memory than bfd, and folds identical
# functions whose address is not taken (--icf=safe: 41 -> 37 MB stripped).
# A cross build keeps its toolchain's linker (lld for aarch64: the build machine's gold
# links only its own architecture), which folds them as well.
include(CheckLinkerFlag)
if(NOT CMAKE_CROSSCOMPILING)
  check_linker_flag(CXX -fuse-ld=gold GORAY_HAVE_GOLD)
endif()
if(GORAY_HAVE_GOLD)
  target_link_options(goray_scan_llvm INTERFACE -fuse-ld=gold LINKER:--icf=safe)
else()
  check_linker_flag(CXX LINKER:--icf=safe GORAY_HAVE_ICF)
  if(GORAY_HAVE_ICF)
    target_link_options(goray_scan_llvm INTERFACE LINKER:--icf=safe)
  endif()
endif()
