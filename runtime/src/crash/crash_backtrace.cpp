// Unwinds and symbolizes the crashing thread. Unwinding and symbol lookup are
// libbacktrace's (async-signal-safe once its state exists: it reads debug info with
// open/mmap, never malloc). Demangling is not: abi::__cxa_demangle mallocs, so it runs
// per frame after that frame's raw part is known, and each line is flushed as it is
// written (a heap too broken to demangle leaves the lines before it).
// Tests: tests/cpp/crash_report_test.cpp, tests/python/test_crash_reports.py
#include "crash/crash_backtrace.h"

#include <cxxabi.h>
#include <link.h>

#include <cstdlib>
#include <cstring>

#if defined(GORAY_HAVE_LIBBACKTRACE)
#include <backtrace.h>
#else
#include <dlfcn.h>
#include <execinfo.h>
#endif

namespace goray::detail::crash {
namespace {

constexpr int kMaxFrames = 128;
// Frames listed after the user's last (the rest, goray's and Python's, are counted).
constexpr int kFramesAfterApplication = 0;
// Demangled C++ names can be pages long (templates): cut at this many bytes.
constexpr std::size_t kMaxNameLength = 300;

struct Frame {
  std::uintptr_t pc;
  const char* function;  // mangled when it has a linkage name; null when unknown
  const char* file;      // null without debug info
  int line;
};

// One report at a time (the handler lets one thread in), so static, not on the small
// alternate stack.
Frame g_frames[kMaxFrames];
int g_count = 0;
std::uintptr_t g_application_begin = 0;
std::uintptr_t g_application_end = 0;
bool g_all_frames = false;

#if defined(GORAY_HAVE_LIBBACKTRACE)
backtrace_state* g_state = nullptr;

void IgnoreError(void*, const char*, int) {}  // a frame without symbols shows its address

int AddFrame(void*, std::uintptr_t pc, const char* file, int line, const char* function) {
  if (g_count >= kMaxFrames) return 1;
  g_frames[g_count++] = Frame{pc, function, file, line};
  return 0;
}

void SetSymbol(void* data, std::uintptr_t, const char* name, std::uintptr_t, std::uintptr_t) {
  if (name != nullptr) *static_cast<const char**>(data) = name;
}

void Collect() {
  g_count = 0;
  if (g_state == nullptr) return;
  backtrace_full(g_state, 0, AddFrame, IgnoreError, nullptr);
  for (int i = 0; i < g_count; ++i) {  // no debug info: the symbol table's name
    if (g_frames[i].function == nullptr) {
      backtrace_syminfo(g_state, g_frames[i].pc, SetSymbol, IgnoreError, &g_frames[i].function);
    }
  }
}
#else
// Without libbacktrace: glibc's backtrace() and dladdr (names from the dynamic symbol
// table only, no file:line; dladdr takes the loader's lock, so this is best-effort).
void Collect() {
  void* pcs[kMaxFrames];
  g_count = ::backtrace(pcs, kMaxFrames);
  for (int i = 0; i < g_count; ++i) {
    Dl_info info{};
    const char* name = ::dladdr(pcs[i], &info) != 0 ? info.dli_sname : nullptr;
    g_frames[i] = Frame{reinterpret_cast<std::uintptr_t>(pcs[i]), name, nullptr, 0};
  }
}
#endif

bool StartsWith(const char* text, const char* prefix) {
  return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

bool Contains(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

bool EndsWith(const char* text, const char* suffix) {
  std::size_t length = std::strlen(text);
  std::size_t suffix_length = std::strlen(suffix);
  return length >= suffix_length && std::strcmp(text + length - suffix_length, suffix) == 0;
}

// The runtime's source tree as compiled, above src/crash/ (runtime/ in goray's tree,
// share/goray/runtime/ of a package).
std::size_t RuntimeRootLength() {
  static const char kThisFile[] = __FILE__;
  const char* end = std::strstr(kThisFile, "src/crash/crash_backtrace.cpp");
  return end == nullptr ? 0 : static_cast<std::size_t>(end - kThisFile);
}

// Where a frame's code lives, told by its source file (debug info; an inlined call has
// the file of the function inlined) or, without one, by its (mangled) name.
enum class Origin {
  kUser,             // the application's own source
  kRuntime,          // goray's runtime: its sources and headers
  kGenerated,        // goray-gen's adaptors (NAME.goray.cpp, NAME.goray.h)
  kStandardLibrary,  // the C++ standard library's headers (libstdc++, libc++) and ABI
  kLibraryHeader,    // another library's header under /usr/include (msgpack, nlohmann)
  kCompiler,         // what the compiler made (__cxx_global_var_init, __clang_call_terminate)
  kOutside,          // another object: libc, libstdc++.so, Python, Ray
};

bool IsStandardLibraryFile(const char* file) {
  return Contains(file, "/include/c++/") || Contains(file, "/libcxx/") ||
         Contains(file, "/libstdc++-v3/");
}

// A file of the runtime's tree when this file's own path and the frame's were written
// differently: relative to a build directory, as ccache's base_dir writes them
// ("../runtime/src/calls_in/dispatcher.cpp"), and absolute, as a compile outside ccache writes them
// (one tree may hold objects of both). Past a relative path's leading "../" and "./", or
// anywhere in an absolute one, the runtime root's own name and "/src/".
bool IsRelativeRuntimeFile(const char* file) {
  std::size_t root = RuntimeRootLength();
  if (root < 2) return false;
  std::size_t name_end = root - 1;  // the root's last '/'
  std::size_t name_start = name_end;
  while (name_start > 0 && __FILE__[name_start - 1] != '/') --name_start;
  std::size_t name_length = name_end - name_start;
  if (name_length == 0) return false;
  auto root_at = [&](const char* at) {
    return std::strncmp(at, __FILE__ + name_start, name_length) == 0 &&
           StartsWith(at + name_length, "/src/");
  };
  if (file[0] == '/') {
    if (__FILE__[0] == '/') return false;  // both absolute: RuntimeRootLength's prefix decides
    for (const char* slash = std::strchr(file, '/'); slash != nullptr;
         slash = std::strchr(slash + 1, '/')) {
      if (root_at(slash + 1)) return true;
    }
    return false;
  }
  while (StartsWith(file, "../") || StartsWith(file, "./")) file += file[1] == '.' ? 3 : 2;
  return root_at(file);
}

Origin OriginOfFile(const char* file) {
  std::size_t root = RuntimeRootLength();
  if (root > 0 && std::strncmp(file, __FILE__, root) == 0) return Origin::kRuntime;
  if (IsRelativeRuntimeFile(file)) return Origin::kRuntime;
  if (Contains(file, "/include/goray/") || Contains(file, "/share/goray/runtime/")) {
    return Origin::kRuntime;
  }
  if (EndsWith(file, ".goray.cpp") || EndsWith(file, ".goray.h")) return Origin::kGenerated;
  if (IsStandardLibraryFile(file)) return Origin::kStandardLibrary;
  if (StartsWith(file, "/usr/include/") || StartsWith(file, "/usr/local/include/")) {
    return Origin::kLibraryHeader;
  }
  return Origin::kUser;
}

Origin OriginOfName(const char* name) {
  static const char* const kRuntime[] = {"_ZN5goray", "_ZNK5goray", "_ZZN5goray", "_ZZNK5goray",
                                         "_ZZZN5goray", "Execute"};
  static const char* const kStandard[] = {"_ZNSt", "_ZNKSt", "_ZSt", "_ZZNSt", "_ZN9__gnu_cxx",
                                          "_ZNK9__gnu_cxx", "_ZN10__cxxabiv1", "__cxa", "__gxx"};
  static const char* const kLibraries[] = {"_ZN6nlohmann", "_ZNK6nlohmann", "_ZN7msgpack",
                                           "_ZNK7msgpack"};
  for (const char* prefix : kRuntime) {
    if (StartsWith(name, prefix)) return Origin::kRuntime;
  }
  for (const char* prefix : kStandard) {
    if (StartsWith(name, prefix)) return Origin::kStandardLibrary;
  }
  for (const char* prefix : kLibraries) {
    if (StartsWith(name, prefix)) return Origin::kLibraryHeader;
  }
  // Other reserved names: what the compiler generated, not the user's source.
  if (StartsWith(name, "__")) return Origin::kCompiler;
  return Origin::kUser;
}

bool InApplication(const Frame& frame) {
  return frame.pc >= g_application_begin && frame.pc < g_application_end;
}

Origin OriginOf(const Frame& frame) {
  if (!InApplication(frame)) return Origin::kOutside;
  if (frame.file != nullptr) return OriginOfFile(frame.file);
  return frame.function == nullptr ? Origin::kUser : OriginOfName(frame.function);
}

bool IsUserFrame(const Frame& frame) { return OriginOf(frame) == Origin::kUser; }

// The label after a frame that is not the user's own code ("" for the user's).
const char* Label(Origin origin) {
  switch (origin) {
    case Origin::kUser:
      return "";
    case Origin::kRuntime:
      return "  [goray runtime]";
    case Origin::kGenerated:
      return "  [goray generated]";
    case Origin::kStandardLibrary:
      return "  [C++ standard library]";
    case Origin::kLibraryHeader:
      return "  [library header]";
    case Origin::kCompiler:
      return "  [compiler-generated]";
    case Origin::kOutside:
      return "  [outside the application]";
  }
  return "";
}

void WriteName(Writer& out, const char* name) {
  if (name == nullptr) {
    out.Text("??");
    return;
  }
  const char* text = name;
  char* demangled = nullptr;
  if (StartsWith(name, "_Z")) {
    int status = 0;
    demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status == 0 && demangled != nullptr) text = demangled;
  }
  std::size_t length = std::strlen(text);
  out.Bytes(text, length > kMaxNameLength ? kMaxNameLength : length);
  if (length > kMaxNameLength) out.Text("...");
  std::free(demangled);
}

void WriteFrame(Writer& out, int number, const Frame& frame) {
  out.Text("  #").Decimal(number).Text("  ");
  out.Flush();  // the raw part first: demangling mallocs
  WriteName(out, frame.function);
  if (frame.file != nullptr) {
    out.Text(" at ").Text(frame.file).Text(":").Decimal(frame.line);
  } else {
    out.Text(" (").Hex(frame.pc).Text(")");
  }
  out.Text(Label(OriginOf(frame))).Text("\n").Flush();
}

int FindFault(std::uintptr_t fault_pc) {
  if (fault_pc == 0) return -1;
  for (int i = 0; i < g_count; ++i) {
    if (g_frames[i].pc == fault_pc || g_frames[i].pc + 1 == fault_pc) return i;
  }
  return -1;
}

int FindApplicationObject(dl_phdr_info* info, std::size_t, void* data) {
  auto address = *static_cast<std::uintptr_t*>(data);
  std::uintptr_t begin = UINTPTR_MAX;
  std::uintptr_t end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    if (header.p_type != PT_LOAD) continue;
    std::uintptr_t start = info->dlpi_addr + header.p_vaddr;
    if (start < begin) begin = start;
    if (start + header.p_memsz > end) end = start + header.p_memsz;
  }
  if (address < begin || address >= end) return 0;
  g_application_begin = begin;
  g_application_end = end;
  return 1;
}

}  // namespace

void PrepareBacktrace() {
  const char* frames = std::getenv("GORAY_CRASH_FRAMES");
  g_all_frames = frames != nullptr && std::strcmp(frames, "all") == 0;
  // The object this code is linked into: the application library (or a test binary).
  auto self = reinterpret_cast<std::uintptr_t>(&PrepareBacktrace);
  dl_iterate_phdr(FindApplicationObject, &self);
#if defined(GORAY_HAVE_LIBBACKTRACE)
  // threaded=1: any thread may crash. Debug info is read at the first report.
  g_state = backtrace_create_state(nullptr, /*threaded=*/1, IgnoreError, nullptr);
#else
  void* warm_up[1];
  ::backtrace(warm_up, 1);  // loads libgcc's unwinder now, not inside the handler
#endif
}

void WriteBacktrace(Writer& out, std::uintptr_t fault_pc, bool skip_leading_runtime) {
  Collect();
  // The frame the signal interrupted; the ones above it are the handler's own.
  int start = FindFault(fault_pc);
  if (start < 0) {
    start = 0;  // not found: the handler's frames are counted with the leading ones
    skip_leading_runtime = true;
  }
  int first = -1;
  int last = -1;
  for (int i = start; i < g_count; ++i) {
    if (!IsUserFrame(g_frames[i])) continue;
    if (first < 0) first = i;
    last = i;
  }
  out.Text("goray: native backtrace, most recent call first");
  if (g_count == 0) {
    out.Text(": unavailable\n").Flush();
    return;
  }
  out.Text(":\n");
  int from = start;
  int to = g_count - 1;
  if (!g_all_frames && first >= 0) {
    if (skip_leading_runtime && first > start) {
      out.Text("  (").Decimal(first - start)
          .Text(" frames above not shown: libc and the C++ library raising the signal)\n");
      from = first;
    }
    to = last + kFramesAfterApplication < to ? last + kFramesAfterApplication : to;
  }
  for (int i = from; i <= to; ++i) WriteFrame(out, i - start, g_frames[i]);
  if (to < g_count - 1) {
    out.Text("  (").Decimal(g_count - 1 - to)
        .Text(" more frames of the goray runtime, Python or libc not shown; "
              "GORAY_CRASH_FRAMES=all lists every frame)\n");
  }
  out.Flush();
}

}  // namespace goray::detail::crash
