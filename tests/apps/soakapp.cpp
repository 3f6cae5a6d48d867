// The soak application (bench/soak.py, docs/reliability.md): C++ tasks that call Python many
// times, from many threads at once, and submit many remote tasks; each checks
// every result and returns how many were wrong (0 = all right).
#include <goray/goray.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace soakapp {

std::int64_t Add(std::int64_t a, std::int64_t b) { return a + b; }

std::string Echo(const std::string& text) { return text; }

// n in-process calls C++ -> Python (soak_inc(i) = i + 1); returns the wrong ones.
std::int64_t CallPython(std::int64_t n) {
  std::int64_t wrong = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (goray::LocalCallPyTask("soak_inc", i).Get<std::int64_t>() != i + 1) ++wrong;
  }
  return wrong;
}

// `threads` C++ threads, each making `per_thread` calls into Python at once.
std::int64_t CallPythonFromThreads(std::int64_t threads, std::int64_t per_thread) {
  std::atomic<std::int64_t> wrong{0};
  std::vector<std::thread> pool;
  for (std::int64_t t = 0; t < threads; ++t) {
    pool.emplace_back([t, per_thread, &wrong] {
      for (std::int64_t i = 0; i < per_thread; ++i) {
        try {
          const std::int64_t x = t * 1000000 + i;
          if (goray::LocalCallPyTask("soak_inc", x).Get<std::int64_t>() != x + 1) ++wrong;
        } catch (...) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  return wrong.load();
}

// n remote native tasks (Square) submitted at once, then fetched: the wrong ones.
std::int64_t RemoteSquares(std::int64_t n) {
  std::vector<goray::ObjectRef> refs;
  refs.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) refs.push_back(goray::RemoteCall("Square", i));
  std::int64_t wrong = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (refs[static_cast<std::size_t>(i)].Get<std::int64_t>() != i * i) ++wrong;
  }
  return wrong;
}

}  // namespace soakapp

void goray::RegisterApplication(goray::Registry& r) {
  r.AddTask("Add", &soakapp::Add);
  r.AddTask("Echo", &soakapp::Echo);
  r.AddTask("Square", [](std::int64_t x) { return x * x; });
  r.AddTask("CallPython", &soakapp::CallPython);
  r.AddTask("CallPythonFromThreads", &soakapp::CallPythonFromThreads);
  r.AddTask("RemoteSquares", &soakapp::RemoteSquares);
}
