// Reserved names: see reserved_names.h.
#include "reserved_names.h"

#include <set>

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
  if (use != NameUse::kMethod) return std::nullopt;
  // A Ray actor handle's methods are its attributes: the driver's actor class keeps its
  // own state and helpers under _goray*, and Ray's ActorHandle its own under _ray_* and
  // these names (Ray 2.x), which a method of that name would shadow or be shadowed by.
  if (name.rfind("_goray", 0) == 0) {
    return "starts with '_goray', which goray reserves for the attributes of the driver's "
           "Ray actor class";
  }
  static const std::set<std::string> kRayHandleAttributes = {
      "_actor_id", "_actor_method_call", "_method_shells", "_serialization_helper",
      "_deserialization_helper", "_get_local_state"};
  if (name.rfind("_ray_", 0) == 0 || kRayHandleAttributes.count(name) != 0) {
    return "is an attribute of Ray's actor handles (Ray keeps its own under '_ray_' and a "
           "few other private names), so the method could not be reached through one";
  }
  return std::nullopt;
}

}  // namespace goray::scan
