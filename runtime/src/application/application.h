// This library's application: the Registry its generated RegisterApplication fills, built
// on first use (concurrent first calls wait for it: a function-local static). The C ABI's
// Execute dispatches on it; NewActor reads a native actor type's methods from it.
#pragma once

#include <string>

#include "goray/registry.h"

namespace goray::detail {

struct Application {
  Application();  // runs RegisterApplication
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  Registry registry;
  // Why RegisterApplication threw, or "" when it did not: every request then fails with it.
  std::string registration_error;
};

const Application& TheApplication();

}  // namespace goray::detail
