// The one writer of the IDL: the typed document (idl.h) as JSON, object for object as
// generator/idl/idl.schema.json defines it. The scanner's tests check every document a
// scan writes against that schema.
#pragma once

#include <nlohmann/json.hpp>

#include "idl.h"

namespace goray::scan {

// The whole IDL, constants (idl_version, generator) included. nlohmann::json keeps an
// object's keys sorted, which is the file's key order (FormatIdl).
nlohmann::json WriteIdl(const idl::Document& document);

}  // namespace goray::scan
