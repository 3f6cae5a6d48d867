// The factory only forward-declares the class it builds.
#pragma once

#include <memory>

#include <goray/annotations.h>

struct Child;

struct GORAY_ACTORS Actors {
  static std::unique_ptr<Child> Make();
};
