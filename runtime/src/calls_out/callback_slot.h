// The driver's callback, registered once through RegisterCallback (docs/protocol.md §1).
#pragma once

#include "goray/abi.h"

namespace goray::detail {

using DriverCallback = GorayDriverCallback;

// Stores the first callback; a later one is ignored with a line on stderr.
void InstallCallback(DriverCallback callback);
// The registered callback, or nullptr.
DriverCallback InstalledCallback();

}  // namespace goray::detail
