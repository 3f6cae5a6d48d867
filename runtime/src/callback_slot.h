// The driver's callback, registered once through RegisterCallback (protocol.md 1).
#pragma once

namespace goray::detail {

using DriverCallback = void* (*)(long long request, void* in_data, long long in_len,
                                 long long* out_len, long long* ret_code);

// Stores the first callback; a later one is ignored with a line on stderr.
void InstallCallback(DriverCallback callback);
// The registered callback, or nullptr.
DriverCallback InstalledCallback();

}  // namespace goray::detail
