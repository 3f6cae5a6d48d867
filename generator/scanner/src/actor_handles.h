// goray::ActorHandleOf<Actor> names a C++ class; the IDL also names the actor type that
// builds it ("actor"), known only once every translation unit is scanned (a factory may
// be in another file than the signature using the handle). A class no actor type builds
// is an error (docs/scanner-rules.md, "Errors").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "goray/scan/scan.h"
#include "model.h"

namespace goray::scan {

// Sets "actor" of every actor_handle type object in `idl` whose "class" is set: the first
// actor type (in source order) building that class. A class no actor type builds is an
// error at its first use, appended to `diagnostics` and `rendered` (clang's layout);
// returns false then.
bool ResolveActorHandles(nlohmann::json& idl, const Model& model,
                         std::vector<Diagnostic>& diagnostics, std::string& rendered);

}  // namespace goray::scan
