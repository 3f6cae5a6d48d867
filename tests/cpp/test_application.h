// One test executable, one application per test file.
//
// Every tests/cpp/*_test.cpp is linked into one executable, goray_runtime_test
// (CMakeLists.txt), but the runtime asks for the application once per process
// (goray::RegisterApplication, goray/registry.h) and many files call their tasks by
// their index in their own table. So a file declares its application with
//
//     GORAY_TEST_APPLICATION(registry) {
//       registry.AddTask("Square", &Square);
//     }
//
// (a function of this file, registered under its __FILE__), and the executable's one
// goray::RegisterApplication (test_main.cpp) runs the application of the file of the
// test running when the runtime asks: a test of a file that declares none gets a
// registration error naming the file. The tests of one file run in a process of their
// own: ctest runs each test in its own process, and test_main.cpp's main runs each
// file's tests in a child process of its own when the tests it was asked to run span
// several files. At most one GORAY_TEST_APPLICATION per file.
//
// Each file keeps what it defines in an anonymous namespace (or in a namespace of its
// own name), so that no two files' types or functions merge in the one program;
// check_test_symbols.py checks it (ctest RuntimeTestBinary.NoNameDefinedByTwoTestFiles).
#pragma once

#include "goray/registry.h"

namespace goray_test {

using ApplicationFunction = void (*)(goray::Registry&);

// Makes `application` the application of the tests written in `file` (their
// TestInfo::file(), the same __FILE__). Called by GORAY_TEST_APPLICATION before main;
// a second one for the same file aborts the program.
bool RegisterTestApplication(const char* file, ApplicationFunction application);

}  // namespace goray_test

#define GORAY_TEST_APPLICATION(registry)                                                  \
  static void GorayTestApplication(::goray::Registry& registry);                          \
  [[maybe_unused]] static const bool gorayTestApplicationRegistered =                     \
      ::goray_test::RegisterTestApplication(__FILE__, &GorayTestApplication);             \
  static void GorayTestApplication([[maybe_unused]] ::goray::Registry& registry)
