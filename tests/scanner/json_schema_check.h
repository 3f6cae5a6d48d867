// A small JSON Schema (draft 2020-12) checker for the keywords idl.schema.json uses:
// type, const, enum, properties, required, additionalProperties, items, minItems,
// maxItems, oneOf, $ref ("#/$defs/..."), minimum, pattern; annotations (description,
// title, $schema, $id, $defs) are skipped. Any other keyword is reported, so that the
// schema cannot silently use one this checker ignores.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace goray::scan::testing {

// The violations of `schema` by `instance`, each as "<json pointer>: <what>".
std::vector<std::string> SchemaErrors(const nlohmann::json& schema,
                                      const nlohmann::json& instance);

}  // namespace goray::scan::testing
