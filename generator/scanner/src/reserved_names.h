// Names goray-gen refuses for tasks, actor types and actor methods, because the Python
// driver or the generated code already uses them (docs/scanner-rules.md, "Reserved
// names"): accepting one would make two names reach one dispatch entry.
#pragma once

#include <optional>
#include <string>

namespace goray::scan {

enum class NameUse { kTask, kActorType, kMethod };

// Why `name` is reserved for `use`, as a clause for "... 'Get__' <clause>; rename it";
// nullopt when the name is free.
std::optional<std::string> ReservedNameReason(const std::string& name, NameUse use);

}  // namespace goray::scan
