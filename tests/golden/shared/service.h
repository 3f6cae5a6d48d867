// A header two source files include: its declarations are found once.
#pragma once

#include <string>

#include <goray/annotations.h>

namespace svc {

struct GORAY_TASKS Service {
  struct Reply {
    std::string text;
  };
  auto Echo(std::string s) { return s; }  // a deduced result: clang parses this body
  Reply Answer(const std::string& question);
};

GORAY_DRIVER int Main();  // defined in b.cpp

}  // namespace svc

GORAY_INIT_OPTIONS(R"({"num_cpus": 1})");
