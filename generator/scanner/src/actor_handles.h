// goray::ActorHandleOf<Actor> names a C++ class; the IDL also names the actor type that
// builds it ("actor"), known only once every translation unit is scanned (a factory may
// be in another file than the signature using the handle). A class no actor type builds
// is an error (docs/scanner-rules.md, "Errors").
#pragma once

#include <string>
#include <vector>

#include "idl.h"
#include "model.h"

namespace goray::scan {

struct Diagnostic;

// Sets the actor of every typed actor handle in `document`: the first actor type (in source
// order) building its class. A class no actor type builds is an error at its first use,
// appended to `diagnostics` and `rendered` (clang's layout); returns false then.
bool ResolveActorHandles(idl::Document& document, const Model& model,
                         std::vector<Diagnostic>& diagnostics, std::string& rendered);

}  // namespace goray::scan
