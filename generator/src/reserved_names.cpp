// Reserved names: see reserved_names.h.
#include "reserved_names.h"

namespace goray::scan {

std::optional<std::string> ReservedNameReason(const std::string& name, NameUse use) {
  // The driver's Ray actor class has, per method m, a method m (Python values) and m__
  // (encoded arguments, for native callers); Python reserves __dunder__ names for tasks
  // and actor types, which are attributes of the generated stub module.
  if (name.size() >= 2 && name.compare(name.size() - 2, 2, "__") == 0) {
    std::string stem = name.substr(0, name.size() - 2);
    if (use == NameUse::kMethod && !stem.empty()) {
      return "ends in '__', which goray reserves: the driver's Ray actor has a method '" +
             stem + "__' for the encoded calls of '" + stem +
             "', so two names would reach one method";
    }
    return "ends in '__', which goray reserves (the driver's encoded actor methods m__ and "
           "Python's __dunder__ names end so)";
  }
  // The driver's Ray actor class keeps its own state and helpers under _goray*.
  if (use == NameUse::kMethod && name.rfind("_goray", 0) == 0) {
    return "starts with '_goray', which goray reserves for the attributes of the driver's "
           "Ray actor class";
  }
  return std::nullopt;
}

}  // namespace goray::scan
