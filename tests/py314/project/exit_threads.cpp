// Native threads that call Python while the interpreter exits (tests/py314/test_exit.py).
// CPython 3.14 changed what such a thread meets: one taking the GIL during finalization
// now waits for ever where 3.13 ended it (pthread_exit). goray's fast path keeps a Python
// thread state per native thread between calls (python/goray/_fastpath_src/thread_states.h);
// neither that state nor a call in flight may keep the process from exiting.
#include <goray/goray.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<int64_t> g_calls{0};
std::atomic<int64_t> g_errors{0};

void call_python(int64_t index) {
  try {
    goray::LocalCallPyTask("tick", index).Get<int64_t>();
    g_calls.fetch_add(1);
  } catch (...) {  // (an interpreter that is going away may refuse the call)
    g_errors.fetch_add(1);
  }
}

// A user's thread pool: its threads stopped and joined by a static object's destructor at
// exit (after Python has finalized), as a C++ library's globals are.
class JoinedAtExit {
 public:
  ~JoinedAtExit() {
    stop_.store(true);
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& thread : threads_) thread.join();
  }
  void Start(int64_t count, bool keep_calling) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int64_t i = 0; i < count; ++i) {
      threads_.emplace_back([this, i, keep_calling] {
        call_python(i);  // from here on this thread keeps a Python thread state
        while (!stop_.load()) {
          if (keep_calling) call_python(i);
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      });
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

JoinedAtExit g_joined;

}  // namespace

struct GORAY_TASKS ExitThreads {
  // Starts `count` native threads that call the Python function `tick` once (and keep
  // their thread states) or, with keep_calling, until the process ends: joined at exit,
  // or detached. Returns once each has made its first call.
  static int64_t StartCallers(int64_t count, bool keep_calling, bool joined) {
    const int64_t before = g_calls.load() + g_errors.load();
    if (joined) {
      g_joined.Start(count, keep_calling);
    } else {
      for (int64_t i = 0; i < count; ++i) {
        std::thread([i, keep_calling] {
          call_python(i);
          while (keep_calling) call_python(i);
        }).detach();
      }
    }
    while (g_calls.load() + g_errors.load() < before + count) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return g_calls.load();
  }
};
