// GORAY_ACTOR_OPTIONS: reading the marker and checking its JSON.
#include "actor_options.h"

#include <algorithm>
#include <string_view>

#include <clang/AST/Attr.h>
#include <clang/AST/DeclBase.h>
#include <clang/Basic/SourceManager.h>

namespace goray::scan {
namespace {

using nlohmann::json;

// What a declared option's value must be (as Ray's own checks of actor options say).
enum class Kind {
  kCount,     // an integer >= -1 (-1: without limit)
  kPositive,  // an integer >= 1
  kBytes,     // an integer >= 0
  kQuantity,  // a number >= 0
  kResources, // an object of resource name -> number >= 0 (not CPU or GPU)
  kString,
  kLifetime,  // "detached" or "non_detached"
  kStrategy,  // "DEFAULT" or "SPREAD"
  kBool,
};

struct Rule {
  std::string_view name;
  Kind kind;
};

// The options a class declares for every actor built from it. Others name one actor
// (name, namespace), have a marker of their own (concurrency groups) or depend on the
// running cluster (placement groups): those are given per creation.
constexpr Rule kRules[] = {
    {"max_restarts", Kind::kCount},       {"max_task_retries", Kind::kCount},
    {"max_pending_calls", Kind::kCount},  {"max_concurrency", Kind::kPositive},
    {"num_cpus", Kind::kQuantity},        {"num_gpus", Kind::kQuantity},
    {"memory", Kind::kQuantity},          {"object_store_memory", Kind::kBytes},
    {"resources", Kind::kResources},      {"accelerator_type", Kind::kString},
    {"lifetime", Kind::kLifetime},        {"scheduling_strategy", Kind::kStrategy},
    {"enable_task_events", Kind::kBool},
};

std::string RuleNames() {
  std::string names;
  for (const Rule& rule : kRules) names += (names.empty() ? "" : ", ") + std::string(rule.name);
  return names;
}

bool IsInteger(const json& value) { return value.is_number_integer(); }

bool IsNonNegativeNumber(const json& value) {
  return value.is_number() && value.get<double>() >= 0;
}

// Why `value` does not fit `kind`, or "".
std::string Misfit(Kind kind, const json& value) {
  switch (kind) {
    case Kind::kCount:
      return IsInteger(value) && value.get<std::int64_t>() >= -1
                 ? "" : "an integer >= -1 (-1: without limit)";
    case Kind::kPositive:
      return IsInteger(value) && value.get<std::int64_t>() >= 1 ? "" : "an integer >= 1";
    case Kind::kBytes:
      return IsInteger(value) && value.get<std::int64_t>() >= 0 ? "" : "an integer >= 0";
    case Kind::kQuantity:
      return IsNonNegativeNumber(value) ? "" : "a number >= 0";
    case Kind::kResources: {
      const char* what = "an object of resource names and numbers >= 0 (num_cpus and "
                         "num_gpus, not \"CPU\" or \"GPU\")";
      if (!value.is_object()) return what;
      for (const auto& [name, quantity] : value.items()) {
        if (name == "CPU" || name == "GPU" || !IsNonNegativeNumber(quantity)) return what;
      }
      return "";
    }
    case Kind::kString:
      return value.is_string() ? "" : "a string";
    case Kind::kLifetime:
      return value == "detached" || value == "non_detached" ? ""
                                                            : "\"detached\" or \"non_detached\"";
    case Kind::kStrategy:
      return value == "DEFAULT" || value == "SPREAD" ? "" : "\"DEFAULT\" or \"SPREAD\"";
    case Kind::kBool:
      return value.is_boolean() ? "" : "true or false";
  }
  return "";
}

// Why `name` is not an option a class declares, and what to do instead.
std::string NotDeclarable(const std::string& name) {
  if (name == "name" || name == "namespace" || name == "get_if_exists") {
    return "names one actor, so it is given per creation (.options(" + name +
           "=...) in Python, goray::Option(\"" + name + "\", ...) in C++)";
  }
  if (name == "concurrency_groups") {
    return "is declared with GORAY_CONCURRENCY_GROUP(\"name\", size) on a GORAY_THREADSAFE "
           "class";
  }
  return "is not an option a class declares (it may declare " + RuleNames() +
         "); give any other Ray option per creation (.options(...) in Python, "
         "goray::Option in C++)";
}

// nlohmann's parse message without its "[json.exception.parse_error.101] " prefix.
std::string ParseMessage(const json::parse_error& error) {
  std::string message = error.what();
  if (std::size_t bracket = message.find("] ");
      message.rfind("[json", 0) == 0 && bracket != std::string::npos) {
    message = message.substr(bracket + 2);
  }
  return message;
}

// Checks one marker's text; reports at `location` and returns false when broken.
bool Check(const std::string& text, const std::string& label, clang::SourceLocation location,
           TuContext& tu, json& value) {
  std::string marker = "GORAY_ACTOR_OPTIONS of " + label;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& error) {
    tu.reporter.Error(location, marker + " is not valid JSON (" + ParseMessage(error) +
                                    "); write a JSON object, like "
                                    "GORAY_ACTOR_OPTIONS(R\"({\"max_restarts\": 3})\")");
    return false;
  }
  if (!value.is_object()) {
    tu.reporter.Error(location, marker + " is a JSON " + value.type_name() +
                                    ", not an object; write the options as a JSON object, "
                                    "like GORAY_ACTOR_OPTIONS(R\"({\"max_restarts\": 3})\")");
    return false;
  }
  bool ok = true;
  for (const auto& [name, option] : value.items()) {
    const Rule* rule = std::find_if(std::begin(kRules), std::end(kRules),
                                    [&](const Rule& known) { return known.name == name; });
    if (rule == std::end(kRules)) {
      tu.reporter.Error(location, marker + ": \"" + name + "\" " + NotDeclarable(name));
      ok = false;
      continue;
    }
    std::string expected = Misfit(rule->kind, option);
    if (!expected.empty()) {
      tu.reporter.Error(location, marker + ": \"" + name + "\" is " + option.dump() +
                                      "; it takes " + expected);
      ok = false;
    }
  }
  return ok;
}

}  // namespace

bool IsActorOptionsMarker(llvm::StringRef annotation) {
  return annotation.starts_with(kActorOptionsPrefix);
}

DeclaredOptions ReadActorOptions(const clang::Decl& decl, const std::string& label,
                                 TuContext& tu) {
  DeclaredOptions options;
  std::string first_text;
  for (const clang::Decl* redeclaration : decl.redecls()) {
    if (!redeclaration->hasAttrs()) continue;
    for (const auto* attribute : redeclaration->specific_attrs<clang::AnnotateAttr>()) {
      llvm::StringRef annotation = attribute->getAnnotation();
      if (!IsActorOptionsMarker(annotation)) continue;
      std::string text = annotation.drop_front(kActorOptionsPrefix.size()).str();
      clang::SourceLocation location = attribute->getLocation();
      if (location.isValid()) location = tu.sources.getExpansionLoc(location);
      if (options.location.isInvalid()) {
        options.location = location;
        first_text = text;
        json value;
        if (Check(text, label, location, tu, value)) {
          options.value = std::move(value);
        } else {
          options.ok = false;
        }
        continue;
      }
      // A redeclaration's copy of the same marker is the same declaration.
      if (text == first_text) continue;
      tu.reporter.Error(location, label + " has two GORAY_ACTOR_OPTIONS (the other at " +
                                      tu.locator.Describe(options.location).Describe() +
                                      "); declare its options in one");
      options.ok = false;
    }
  }
  return options;
}

}  // namespace goray::scan
