// The exported C ABI (docs/protocol.md §1): Execute, FreeMemory, RegisterCallback, and our
// extensions GorayProtocolVersion, GoraySetCrashReport and GorayRecoverCrashes (§14), and
// GorayTypedEntries (§17).
// Only entry points: what lower code needs (the callback's slot, the application's
// registry) is in modules of its own below (callback_slot.h, application.h).
// Tests: tests/cpp/abi_test.cpp, tests/cpp/array_abi_test.cpp, tests/cpp/bad_input_test.cpp,
// tests/cpp/bytes_from_array_test.cpp, tests/cpp/bytes_handoff_test.cpp,
// tests/cpp/failure_payload_test.cpp
#include <cstdlib>
#include <string>

#include "application/application.h"
#include "calls_out/callback_slot.h"
#include "crash/crash_report.h"
#include "calls_in/dispatcher.h"
#include "goray/abi.h"
#include "framing/framing.h"
#include "goray/detail/features.h"
#include "goray/detail/submission.h"
#include "goray/registry.h"
#include "goray/version.h"
#include "abi/typed_entries.h"

namespace goray::detail {
namespace {

// Requests to this library's application (application.h), dispatched.
Reply HandleForApplication(long long request, std::string_view payload) {
  const Application& application = TheApplication();
  if (!application.registration_error.empty()) {
    return TextReply(kFailed, "goray: the application's registration failed: " +
                                  application.registration_error);
  }
  return ApplicationDispatcher().Handle(request, payload);
}

// Py2Native 37 EnableFeatures (kServeEnableFeatures): payload u64 LE bits asked for; reply
// u64 LE bits on.
Reply EnableFeatures(std::string_view payload) {
  if (payload.size() != 8) {
    return TextReply(kFailed, "goray: EnableFeatures expects an 8-byte feature mask, received " +
                                  std::to_string(payload.size()) + " bytes");
  }
  std::string enabled;
  AppendU64(enabled, SetFeatures(ReadU64(payload.data())));
  return TextReply(kSuccess, enabled);
}

// Handles one request with crash recovery on (GorayRecoverCrashes): a crash in it
// becomes a kCrashed reply carrying the report.
Reply HandleRecoverably(long long request, std::string_view payload) {
  struct Call {
    long long request;
    std::string_view payload;
    Reply reply;
  } call{request, payload, {}};
  bool finished = crash::RunRecoverable([](void* context) {
    auto& running = *static_cast<Call*>(context);
    try {
      running.reply = HandleForApplication(running.request, running.payload);
    } catch (...) {
      running.reply = TextReply(kFailed, "goray: internal error while handling the request");
    }
  }, &call);
  if (finished) return std::move(call.reply);
  return TextReply(kCrashed, crash::RecoveredReport());
}

}  // namespace
}  // namespace goray::detail

GORAY_ABI void* Execute(long long request, void* in_data, long long in_len, long long* out_len,
                           long long* ret_code) {
  using namespace goray::detail;
  // Every process that calls in has the crash handlers (a driver that never registered a
  // callback too), and every thread calling in an alternate stack for them.
  static const bool crash_handlers = (crash::Install(), true);
  (void)crash_handlers;
  crash::PrepareThread();
  Reply reply;
  try {
    std::string_view payload(static_cast<const char*>(in_data),
                             in_data == nullptr || in_len < 0 ? 0 : static_cast<std::size_t>(in_len));
    if (RequestCommand(request) == kServeEnableFeatures) {
      reply = EnableFeatures(payload);
    } else if (crash::Recovering()) {
      // After a recovered crash nothing runs: the process is ending, its state may be
      // broken; every call answers with that crash's report.
      reply = crash::RecoveredReport().empty() ? HandleRecoverably(request, payload)
                                               : TextReply(kCrashed, crash::RefusalAfterCrash());
      // After a recovered crash nothing more is sent: a lock it left held could hang us.
      if (reply.code == kCrashed) {
        *ret_code = reply.code;
        *out_len = static_cast<long long>(reply.body.size());
        return reply.body.release();
      }
    } else {
      reply = HandleForApplication(request, payload);
    }
  } catch (...) {
    reply = TextReply(kFailed, "goray: internal error while handling the request");
  }
  // What this call submitted reaches the driver before it returns: a task's
  // submissions are in Ray when the task ends, a driver's when Driver() returns.
  FlushSubmissions();
  *ret_code = reply.code;
  *out_len = static_cast<long long>(reply.body.size());
  if (reply.body.size() == 0) return nullptr;
  void* out = reply.body.release();
  goray::codec::detail::KeepUntilFreed(out, std::move(reply.pins));  // refs the reply names
  return out;
}

GORAY_ABI void FreeMemory(void* ptr) {
  goray::codec::detail::ReleaseKeptFor(ptr);
  std::free(ptr);
}

GORAY_ABI void RegisterCallback(GorayDriverCallback callback) {
  goray::detail::crash::Install();  // as the library is loaded: drivers register first
  goray::detail::InstallCallback(callback);
}

GORAY_ABI long long GorayProtocolVersion() { return GORAY_PROTOCOL_VERSION; }

GORAY_ABI void GoraySetCrashReport(const char* path) { goray::detail::crash::SetReportFile(path); }

GORAY_ABI long long GorayRecoverCrashes(long long on) {
  goray::detail::crash::Install();
  goray::detail::crash::RecoverCrashes(on != 0);
  return 1;
}

GORAY_ABI const void* GorayTypedEntries(unsigned long long abi) {
  return goray::detail::TypedEntriesTable(abi);
}
