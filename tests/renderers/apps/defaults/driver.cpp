// The typed C++ wrappers of tests/golden/defaults/defaults.cpp called with and without
// their defaulted arguments, on Ray (run by apps/defaults_check.py through run_driver).
// Returns the number of failures; each is printed.
#include <goray/goray.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "defaultsapp.goray.h"

namespace {

int failures = 0;

template <class T>
void Expect(const char* what, const T& actual, const T& expected) {
  if (!(actual == expected)) {
    std::cerr << "driver: " << what << " gave an unexpected value\n";
    ++failures;
  }
}

}  // namespace

GORAY_DRIVER int Driver() {
  Expect("Add(1)", defaultsapp::Add(1).Remote().Get(), int64_t{3});
  Expect("Add(1, 5)", defaultsapp::Add(1, 5).Remote().Get(), int64_t{6});
  Expect("Greet()", defaultsapp::Greet().Remote().Get(), std::string("hello world"));
  Expect("Greet(bob)", defaultsapp::Greet("bob").Remote().Get(), std::string("hello bob"));
  Expect("Fill(3)", defaultsapp::Fill(3).Remote().Get(), std::vector<int64_t>{1, 2, 0});
  defaultsapp::CounterHandle counter = defaultsapp::Counter().Remote();
  Expect("Counter().Incr()", counter.Incr().Remote().Get(), int64_t{7});
  Expect("Counter().Incr(10)", counter.Incr(10).Remote().Get(), int64_t{17});
  defaultsapp::BoxHandle box = defaultsapp::Box("b").Remote();
  Expect("Box(b).Describe()", box.Describe().Remote().Get(), std::string("box b10"));
  Expect("Box(b, 4).Describe(>)", defaultsapp::Box("b", 4).Remote().Describe(">").Remote().Get(),
         std::string(">b4"));
  Expect("RemoteCall(Add, 1)", goray::Get<int64_t>(goray::RemoteCall("Add", 1)), int64_t{3});
  try {
    goray::Get<int64_t>(goray::RemoteCall("Add", 1, 2, 3));
    std::cerr << "driver: Add(1, 2, 3) did not fail\n";
    ++failures;
  } catch (const goray::Error& error) {
    if (std::string(error.what()).find("expected 1 to 2 arguments, received 3") ==
        std::string::npos) {
      std::cerr << "driver: Add(1, 2, 3) failed with: " << error.what() << "\n";
      ++failures;
    }
  }
  return failures;
}
