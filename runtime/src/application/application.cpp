// The application's registry, registered once (see application.h).
// Tests: tests/cpp/abi_test.cpp
#include "application/application.h"

#include <exception>

namespace goray::detail {
Application::Application() {
  try {
    RegisterApplication(registry);
  } catch (const std::exception& error) {
    registration_error = error.what();
  } catch (...) {
    registration_error = "an unknown exception";
  }
}

const Application& TheApplication() {
  static const Application application;
  return application;
}

}  // namespace goray::detail
