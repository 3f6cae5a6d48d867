// The one executable's own scheme (test_application.h, test_main.cpp): this file declares
// no application (GORAY_TEST_APPLICATION), so when its test calls the runtime, the
// registration fails with an error naming the file and the test. CMakeLists.txt runs the
// executable itself for the rest: tests of two files in two processes, and the safety
// net that fails a test of another file than the one whose application was registered.
#include <gtest/gtest.h>

#include <string>

#include "abi_call.h"

namespace {

TEST(TestApplication, AFileWithoutAnApplicationGetsARegistrationErrorNamingIt) {
  const abi_call::Result result = abi_call::Call(2, "");  // the tasks and actors list
  EXPECT_EQ(result.code, 1);
  const std::string& body = result.body;
  EXPECT_EQ(body.rfind("goray: the application's registration failed: goray_runtime_test: ", 0), 0u)
      << body;
  EXPECT_NE(body.find("test_application_test.cpp declares no application (GORAY_TEST_APPLICATION"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("its test TestApplication.AFileWithoutAnApplicationGetsARegistrationErrorNamingIt "
                      "asked the runtime for one"),
            std::string::npos)
      << body;
}

}  // namespace
