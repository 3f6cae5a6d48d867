// The C ABI every goray library exports (docs/protocol.md §1): what a driver
// (ours, GoRay's, or a test) calls. Defined in runtime/src/abi/abi.cpp.
#pragma once

// Exported with C linkage and default visibility: what a goray library exports.
#define GORAY_ABI extern "C" __attribute__((visibility("default")))

// The driver's callback for Native2Py requests, registered once.
using GorayDriverCallback = void* (*)(long long request, void* in_data, long long in_len,
                                      long long* out_len, long long* ret_code);

// Runs one request (docs/protocol.md §2-§3) on `in_len` bytes at `in_data`: returns the
// reply's bytes (`*out_len` of them, released with FreeMemory) and sets `*ret_code`.
GORAY_ABI void* Execute(long long request, void* in_data, long long in_len, long long* out_len,
                        long long* ret_code);
// Releases a reply Execute returned.
GORAY_ABI void FreeMemory(void* ptr);
// The driver's callback, registered once before the first Execute (a second is ignored).
GORAY_ABI void RegisterCallback(GorayDriverCallback callback);
// Not part of GoRay's ABI: our driver may ask; others need not.
GORAY_ABI long long GorayProtocolVersion();
// Not part of GoRay's ABI either (docs/protocol.md §14): the file this thread's crash
// report goes to, for the calls it runs from now on ("" or NULL: stderr only).
GORAY_ABI void GoraySetCrashReport(const char* path);
// Nor this (§14): with `on`, a crash inside an Execute call becomes that call's reply
// (code 6, the report) instead of ending the process, once; returns 1.
GORAY_ABI long long GorayRecoverCrashes(long long on);
// Nor this (§17): the application's typed entries (goray::detail::TypedEntries, for the
// application's own CPython extension module, built from the same goray headers) when
// `abi` is the layout it was built with (kTypedEntriesAbi), else NULL.
GORAY_ABI const void* GorayTypedEntries(unsigned long long abi);
