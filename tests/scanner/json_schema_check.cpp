// The JSON Schema subset checker.
#include "json_schema_check.h"

#include <regex>
#include <set>

namespace goray::scan::testing {
namespace {

using nlohmann::json;

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  void Check(const json& schema, const json& value, const std::string& path,
             std::vector<std::string>& errors) const {
    static const std::set<std::string> kAnnotations = {"description", "title", "$schema",
                                                       "$id", "$defs"};
    for (const auto& [keyword, argument] : schema.items()) {
      if (kAnnotations.count(keyword) != 0) continue;
      if (keyword == "type") {
        if (!HasType(argument, value)) errors.push_back(path + ": not of type " + argument.dump());
      } else if (keyword == "const") {
        if (value != argument) errors.push_back(path + ": not " + argument.dump());
      } else if (keyword == "enum") {
        if (std::find(argument.begin(), argument.end(), value) == argument.end()) {
          errors.push_back(path + ": " + value.dump() + " not in " + argument.dump());
        }
      } else if (keyword == "required") {
        if (!value.is_object()) continue;
        for (const json& name : argument) {
          if (!value.contains(name.get<std::string>())) {
            errors.push_back(path + ": missing \"" + name.get<std::string>() + "\"");
          }
        }
      } else if (keyword == "properties") {
        if (!value.is_object()) continue;
        for (const auto& [name, subschema] : argument.items()) {
          if (value.contains(name)) Check(subschema, value.at(name), path + "/" + name, errors);
        }
      } else if (keyword == "additionalProperties") {
        if (!value.is_object()) continue;
        const json properties = schema.value("properties", json::object());
        for (const auto& [name, member] : value.items()) {
          if (properties.contains(name)) continue;
          if (argument.is_boolean()) {
            if (!argument.get<bool>()) errors.push_back(path + ": unexpected \"" + name + "\"");
          } else {
            Check(argument, member, path + "/" + name, errors);
          }
        }
      } else if (keyword == "items") {
        if (!value.is_array()) continue;
        for (std::size_t i = 0; i < value.size(); ++i) {
          Check(argument, value[i], path + "/" + std::to_string(i), errors);
        }
      } else if (keyword == "minItems") {
        if (value.is_array() && value.size() < argument.get<std::size_t>()) {
          errors.push_back(path + ": fewer than " + argument.dump() + " items");
        }
      } else if (keyword == "maxItems") {
        if (value.is_array() && value.size() > argument.get<std::size_t>()) {
          errors.push_back(path + ": more than " + argument.dump() + " items");
        }
      } else if (keyword == "minimum") {
        if (value.is_number() && value.get<double>() < argument.get<double>()) {
          errors.push_back(path + ": below " + argument.dump());
        }
      } else if (keyword == "pattern") {
        if (value.is_string() &&
            !std::regex_search(value.get<std::string>(), std::regex(argument.get<std::string>()))) {
          errors.push_back(path + ": does not match " + argument.dump());
        }
      } else if (keyword == "oneOf") {
        int matches = 0;
        std::vector<std::string> all;
        for (const json& subschema : argument) {
          std::vector<std::string> sub;
          Check(subschema, value, path, sub);
          if (sub.empty()) ++matches;
          all.insert(all.end(), sub.begin(), sub.end());
        }
        if (matches != 1) {
          errors.push_back(path + ": matches " + std::to_string(matches) +
                           " of oneOf's schemas" + (all.empty() ? "" : " (" + all.front() + ")"));
        }
      } else if (keyword == "$ref") {
        std::string reference = argument.get<std::string>();
        if (reference.rfind("#/", 0) != 0) {
          errors.push_back(path + ": unsupported $ref " + reference);
          continue;
        }
        Check(root_.at(json::json_pointer(reference.substr(1))), value, path, errors);
      } else {
        errors.push_back(path + ": the checker does not know keyword \"" + keyword + "\"");
      }
    }
  }

 private:
  static bool HasType(const json& type, const json& value) {
    if (type.is_array()) {
      return std::any_of(type.begin(), type.end(),
                         [&](const json& one) { return HasType(one, value); });
    }
    const std::string name = type.get<std::string>();
    if (name == "null") return value.is_null();
    if (name == "boolean") return value.is_boolean();
    if (name == "object") return value.is_object();
    if (name == "array") return value.is_array();
    if (name == "string") return value.is_string();
    if (name == "number") return value.is_number();
    if (name == "integer") return value.is_number_integer();
    return false;
  }

  const json& root_;
};

}  // namespace

std::vector<std::string> SchemaErrors(const json& schema, const json& instance) {
  std::vector<std::string> errors;
  Checker(schema).Check(schema, instance, "", errors);
  return errors;
}

}  // namespace goray::scan::testing
