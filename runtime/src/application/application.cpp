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

const ActorType& NativeActorType(std::string_view type_name) {
  return TheApplication().registry.ActorTypeOrThrow(type_name);
}

}  // namespace goray::detail
