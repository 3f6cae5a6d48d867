// Refuses to compile an application unit whose C++ library settings differ from those of
// the prebuilt runtime archive it links (docs/cmake.md, "Compilers and flags").
//
// goray's CMake package defines GORAY_PREBUILT_RUNTIME (the libstdc++ release the archive
// was compiled against) and GORAY_PREBUILT_RUNTIME_CXX11_ABI on its prebuilt goray::runtime
// only; a runtime compiled from source inside the user's build (GORAY_RUNTIME_FROM_SOURCE)
// has the unit's own flags, so nothing is checked. goray_add_app runs this same check at
// configure time to choose; this is the net for flags added to one target after that
// (target_compile_definitions(app PRIVATE _GLIBCXX_USE_CXX11_ABI=0)), which would
// otherwise fail at link time with undefined std::string symbols, or not fail and crash.
#pragma once

#if defined(GORAY_PREBUILT_RUNTIME)
#include <cstddef>  // defines the standard library's configuration macros tested below

#if defined(_LIBCPP_VERSION)
#error "goray: this code uses libc++ but links goray's prebuilt runtime, built against libstdc++: configure with -DGORAY_RUNTIME_FROM_SOURCE=ON to build the runtime with your flags."
#elif defined(__GLIBCXX__) && _GLIBCXX_USE_CXX11_ABI != GORAY_PREBUILT_RUNTIME_CXX11_ABI
#error "goray: this code's _GLIBCXX_USE_CXX11_ABI differs from that of goray's prebuilt runtime, so std::string and std::list differ between them: configure with -DGORAY_RUNTIME_FROM_SOURCE=ON to build the runtime with your flags."
#elif defined(_GLIBCXX_DEBUG)
#error "goray: this code is compiled with _GLIBCXX_DEBUG, which changes the standard containers, but links goray's prebuilt runtime: configure with -DGORAY_RUNTIME_FROM_SOURCE=ON to build the runtime with your flags."
#elif defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE < GORAY_PREBUILT_RUNTIME
#error "goray: this code's libstdc++ is older than the one goray's prebuilt runtime was compiled against: configure with -DGORAY_RUNTIME_FROM_SOURCE=ON to build the runtime with your flags."
#endif

// ThreadSanitizer and MemorySanitizer need every unit instrumented, the runtime's too.
#if defined(__SANITIZE_THREAD__)
#define GORAY_DETAIL_UNINSTRUMENTED_RUNTIME 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define GORAY_DETAIL_UNINSTRUMENTED_RUNTIME 1
#endif
#endif
#if defined(GORAY_DETAIL_UNINSTRUMENTED_RUNTIME)
#error "goray: ThreadSanitizer and MemorySanitizer need the runtime instrumented too, and goray's prebuilt runtime is not: configure with -DGORAY_RUNTIME_FROM_SOURCE=ON to build the runtime with your flags."
#endif
#endif  // GORAY_PREBUILT_RUNTIME
