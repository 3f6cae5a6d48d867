// The scan's findings across translation units, before they become the IDL: tasks,
// actor types, the driver, init options, structs and enums, each as its IDL JSON
// object (docs/idl.md) with the position used for ordering and duplicate checks.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace goray::scan {

// A place in a source file: `file` relative to the root ("" when outside it).
struct Position {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;

  friend bool operator<(const Position& a, const Position& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  }
  friend bool operator==(const Position& a, const Position& b) {
    return std::tie(a.file, a.line, a.column) == std::tie(b.file, b.line, b.column);
  }
  // "file:line:column", for messages.
  std::string Describe() const;
  // The IDL "location" object.
  nlohmann::json ToJson() const;
};

struct ModelEntry {
  nlohmann::json value;  // the IDL object
  Position position;
  bool definition = true;  // false: a declaration (the driver may be declared in headers)
};

// Where a goray::ActorHandleOf<Actor> is first used, for the error when no actor type
// builds Actor.
struct HandleUse {
  Position position;
  std::string what;  // "parameter 'c' of task 'Use'"
};

// A declaration carrying a concurrency marker (GORAY_THREADSAFE, GORAY_CONCURRENCY_GROUP,
// GORAY_IN_GROUP), checked once every file is scanned: does an actor type use it?
struct MarkedDeclaration {
  Position position;
  std::string what;  // "class 'Fetcher' is marked GORAY_THREADSAFE", "'Helper::Fetch'"
};

struct Model {
  std::map<std::string, ModelEntry> tasks;   // by task name
  std::map<std::string, ModelEntry> actors;  // by actor type name
  std::optional<ModelEntry> driver;
  std::optional<ModelEntry> init_options;
  std::map<std::string, nlohmann::json> structs;  // by qualified name ("::geo::Point")
  std::map<std::string, nlohmann::json> enums;    // by qualified name
  // The classes of goray::ActorHandleOf<Actor> uses ("::Counter"), each with its first use.
  std::map<std::string, HandleUse> handle_uses;
  // Classes with concurrency markers ("::Fetcher"), methods with GORAY_IN_GROUP
  // ("::Fetcher::Fetch"), and the grouped methods some actor type exports.
  std::map<std::string, MarkedDeclaration> concurrency_classes;
  std::map<std::string, MarkedDeclaration> grouped_methods;
  std::set<std::string> exported_grouped_methods;
  // Types already reported as unusable, so that each is reported once.
  std::set<std::string> rejected_types;

  // The whole IDL document; `sources` are the scanned files, relative to the root.
  nlohmann::json ToIdl(const std::vector<std::string>& sources) const;
};

}  // namespace goray::scan
