// The scan's findings across translation units, before they become the IDL document:
// tasks, actor types, the driver, init options, structs and enums as typed IDL objects
// (idl.h), keyed for the duplicate checks, and what the checks made once every file is
// scanned need (typed actor handles, concurrency markers).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "idl.h"

namespace goray::scan {

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
  std::map<std::string, idl::Task> tasks;    // by task name
  std::map<std::string, idl::Actor> actors;  // by actor type name
  std::optional<idl::Driver> driver;
  bool driver_is_definition = false;  // else a declaration (the driver may be declared in headers)
  std::optional<idl::InitOptions> init_options;
  std::map<std::string, idl::Struct> structs;  // by qualified name ("::geo::Point")
  std::map<std::string, idl::Enum> enums;      // by qualified name
  // The classes of goray::ActorHandleOf<Actor> uses ("::Counter"), each with its first use.
  std::map<std::string, HandleUse> handle_uses;
  // Classes with concurrency markers ("::Fetcher"), methods with GORAY_IN_GROUP
  // ("::Fetcher::Fetch"), and the grouped methods some actor type exports.
  std::map<std::string, MarkedDeclaration> concurrency_classes;
  std::map<std::string, MarkedDeclaration> grouped_methods;
  std::set<std::string> exported_grouped_methods;
  // Member functions marked GORAY_KEEP_GIL ("::Tasks::Square"), and those that are a task
  // or a method of an actor type (keep_gil.h).
  std::map<std::string, MarkedDeclaration> keep_gil_functions;
  std::set<std::string> exported_keep_gil;
  // Types already reported as unusable, so that each is reported once.
  std::set<std::string> rejected_types;

  // The IDL document in its fixed order; `sources` are the scanned files, relative to the
  // root.
  idl::Document ToDocument(std::vector<std::string> sources) const;
};

}  // namespace goray::scan
