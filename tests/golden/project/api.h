// A header of the project: its tasks.
#pragma once

#include <string>

#include <goray/annotations.h>

struct GORAY_TASKS Api {
  static std::string Hello(const std::string& name);
};
