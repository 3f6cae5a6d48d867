// C++ application for the interop tests (tests/interop): run under GoRay's own
// Python driver (goray==1.2.1) and under ours. Its driver prints one line per
// check, "CHECK <name> ok" or "CHECK <name> FAIL <detail>", and one line per
// observed behaviour where the two drivers differ, "OBSERVED <name> <what>".
// GoRay's StartDriver carries no arguments, so the scenario also comes from the
// environment (INTEROP_SCENARIO).
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>



struct GORAY_TASKS Tasks {
  double Square(double x) { return x * x; }
  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) { return {a / b, a % b}; }
  int64_t Fail(std::string why) { throw std::runtime_error(why); }
  int64_t SleepMs(int64_t ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  }
  std::string Concat(std::string a, std::string b) { return a + b; }
  std::vector<std::uint8_t> MakeBytes(int64_t size) { return std::vector<std::uint8_t>(static_cast<std::size_t>(size), 7); }
  int64_t Size(std::vector<std::uint8_t> data) { return static_cast<int64_t>(data.size()); }
  // C++ -> Python in-process, inside an in-process call from Python.
  int64_t CallsPy(int64_t x) { return goray::LocalCallPyTask("py_local_add", x, int64_t{100}).Get<int64_t>(); }
  // C++ -> C++ task from inside a worker.
  double NestedSquare(double x) { return goray::RemoteCall("Square", x).Get<double>(); }
  // Fails the first `failures` runs for `marker` (counted in a file): for retries. The run
  // that succeeds removes the file, so that no run leaves one behind.
  int64_t Flaky(std::string marker, int64_t failures) {
    int64_t seen = 0;
    {
      std::ifstream in(marker);
      in >> seen;
    }
    std::ofstream(marker) << seen + 1;
    if (seen < failures) throw std::runtime_error("flaky failure " + std::to_string(seen + 1));
    std::remove(marker.c_str());
    return seen + 1;
  }
};

class Counter {
 public:
  explicit Counter(int64_t n) : n_(n) {}
  int64_t Incr(int64_t by) { return n_ += by; }
  int64_t Get() { return n_; }

 private:
  int64_t n_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Counter> Counter(int64_t n) { return std::make_unique<::Counter>(n); }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2, "include_dashboard": false})")

namespace {

int failures = 0;

void Check(const std::string& name, bool ok, const std::string& detail = {}) {
  std::cout << "CHECK " << name << (ok ? " ok" : " FAIL " + detail) << std::endl;
  if (!ok) ++failures;
}

template <class F>
void Try(const std::string& name, F&& f) {
  try {
    f();
  } catch (const std::exception& error) {
    Check(name, false, std::string("exception: ") + error.what());
  }
}

template <class F>
void Observe(const std::string& name, F&& f) {
  std::string what;
  try {
    what = f();
  } catch (const std::exception& error) {
    what = std::string("error: ") + error.what();
  }
  for (char& c : what) {
    if (c == '\n') c = ' ';
  }
  if (what.size() > 400) what = what.substr(0, 150) + " ... " + what.substr(what.size() - 250);
  std::cout << "OBSERVED " << name << " " << what << std::endl;
}

void Common() {
  Try("cpp_task", [] {
    Check("cpp_task", goray::RemoteCall("Square", 3.0).Get<double>() == 9.0);
  });
  Try("cpp_task_multi", [] {
    auto [q, r] = goray::RemoteCall("Divide", int64_t{17}, int64_t{5}).Get<int64_t, int64_t>();
    Check("cpp_task_multi", q == 3 && r == 2);
  });
  Try("nested_cpp_task", [] {
    Check("nested_cpp_task", goray::RemoteCall("NestedSquare", 5.0).Get<double>() == 25.0);
  });
  Try("put_ref_arg", [] {
    goray::ObjectRef put = goray::Put(4.0);
    Check("put_ref_arg", goray::RemoteCall("Square", put).Get<double>() == 16.0);
    Check("put_get", put.Get<double>() == 4.0);
  });
  Try("cpp_ref_arg", [] {
    goray::ObjectRef first = goray::RemoteCall("Square", 2.0);
    Check("cpp_ref_arg", goray::RemoteCall("Square", first).Get<double>() == 16.0);
  });
  Try("py_task", [] {
    Check("py_task", goray::RemoteCallPyTask("py_square", int64_t{7}).Get<int64_t>() == 49);
  });
  Try("py_ref_arg", [] {
    goray::ObjectRef text = goray::RemoteCallPyTask("py_text", std::string("b"));
    Check("py_ref_arg", goray::RemoteCall("Concat", std::string("a"), text).Get<std::string>() == "a<b>");
  });
  Try("py_actor", [] {
    goray::ActorHandle store = goray::NewPyActor("Storage", goray::Option("name", "py_store"));
    store.RemoteCall("put", std::string("k"), int64_t{42}).Wait();
    Check("py_actor", store.RemoteCall("get", std::string("k")).Get<int64_t>() == 42);
    goray::ActorHandle again = goray::GetActor("py_store");
    Check("get_actor_py", !again.is_native() && again.RemoteCall("get", std::string("k")).Get<int64_t>() == 42);
  });
  Try("cpp_actor", [] {
    goray::ActorHandle counter = goray::NewActor("Counter", int64_t{10}, goray::Option("name", "cpp_counter"));
    Check("cpp_actor", counter.RemoteCall("Incr", int64_t{5}).Get<int64_t>() == 15);
    goray::ActorHandle again = goray::GetActor("cpp_counter");
    Check("get_actor_cpp", again.is_native() && again.type_name() == "Counter" &&
                               again.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 16);
    goray::ObjectRef by = goray::Put(int64_t{4});
    Check("actor_ref_arg", counter.RemoteCall("Incr", by).Get<int64_t>() == 20);
    counter.Kill();
  });
  Try("wait", [] {
    std::vector<goray::ObjectRef> refs = {goray::RemoteCall("SleepMs", int64_t{20000}),
                                          goray::RemoteCall("SleepMs", int64_t{1})};
    auto [ready, pending] = goray::Wait(refs, 1, std::chrono::seconds(60));
    Check("wait", ready.size() == 1 && ready[0].id() == refs[1].id() && pending.size() == 1);
    try {
      refs[0].Get<int64_t>(std::chrono::milliseconds(50));
      Check("get_timeout", false, "no timeout");
    } catch (const goray::TimeoutError&) {
      Check("get_timeout", true);
    }
    refs[0].Cancel(goray::Option("force", true));
    try {
      refs[0].Get<int64_t>(std::chrono::seconds(60));
      Check("cancel", false, "no error after cancel");
    } catch (const goray::Error& error) {
      Check("cancel", true);
    }
  });
  Try("failure", [] {
    try {
      goray::RemoteCall("Fail", std::string("boom")).Get<int64_t>();
      Check("failure", false, "no exception");
    } catch (const goray::Error& error) {
      Check("failure", std::string(error.what()).find("boom") != std::string::npos, error.what());
    }
  });
  Try("local_py_task", [] {
    Check("local_py_task", goray::LocalCallPyTask("py_local_add", int64_t{2}, int64_t{3}).Get<int64_t>() == 5);
  });
  Try("local_py_instance", [] {
    goray::PyLocalInstance acc = goray::NewPyLocalInstance("LocalAcc", int64_t{1});
    Check("local_py_instance", acc.MethodCall("add", int64_t{2}).Get<int64_t>() == 3);
    acc.Close();
  });
  Try("py_code", [] {
    Check("py_code", goray::CallPythonCode("def mul(a, b):\n    return a * b\n", int64_t{6}, int64_t{7})
                             .Get<int64_t>() == 42);
  });
  Try("local_py_calls_cpp", [] {
    // C++ -> Python in-process -> C++ in-process.
    Check("local_py_calls_cpp", goray::LocalCallPyTask("py_local_square_native", 3.0).Get<double>() == 9.0);
  });
}

// Where GoRay's driver and ours differ (docs/protocol.md §6): printed, judged by the tests.
void Differences() {
  Observe("retry_exceptions", [] {
    // A task that fails once, with retries: a real Ray failure is retried.
    std::string marker = std::string(std::getenv("INTEROP_TMP") ? std::getenv("INTEROP_TMP") : "/tmp") +
                         "/flaky-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    int64_t runs = goray::RemoteCall("Flaky", marker, int64_t{1}, goray::Option("max_retries", 2),
                                     goray::Option("retry_exceptions", true))
                       .Get<int64_t>();
    return "ok runs=" + std::to_string(runs);
  });
  Observe("plain_python_named_actor", [] {
    goray::LocalCallPyTask("make_plain_actor", std::string("plain_actor")).Get<bool>();
    goray::ActorHandle plain = goray::GetActor("plain_actor");
    return "ok " + plain.RemoteCall("ping", int64_t{3}).Get<std::string>();
  });
  Observe("big_local_arg", [] {
    // An argument over 100 MiB to an in-process Python call.
    std::vector<std::uint8_t> big(static_cast<std::size_t>(101) << 20, 1);
    return "ok len=" + std::to_string(goray::LocalCallPyTask("py_len", big).Get<int64_t>());
  });
}

}  // namespace

GORAY_DRIVER int Driver(const std::vector<std::string>& args) {
  std::string scenario = !args.empty() ? args[0] : "";
  if (scenario.empty() && std::getenv("INTEROP_SCENARIO")) scenario = std::getenv("INTEROP_SCENARIO");
  if (scenario.empty()) scenario = "all";
  if (scenario == "none") return 0;
  if (scenario == "all" || scenario == "common") Common();
  if (scenario == "all" || scenario == "differences") Differences();
  std::cout << "DONE failures=" << failures << std::endl;
  return failures;
}
