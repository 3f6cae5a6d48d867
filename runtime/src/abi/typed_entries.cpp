// Typed calls (goray/detail/typed_entry.h): each runs as Execute runs a call, and the
// table GorayTypedEntries hands out.
// Tests: tests/cpp/typed_entries_test.cpp
#include "abi/typed_entries.h"

#include "goray/detail/typed_form.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "application/application.h"
#include "crash/crash_report.h"
#include "calls_in/dispatcher.h"
#include "goray/detail/submission.h"
#include "calls_in/reply.h"
#include "goray/errors.h"

namespace goray::detail {
namespace {

struct Recoverable {
  void (*body)(void*);
  void* context;
  bool ran = false;
  std::string_view callee;
  TypedFailure* failure;
};

// The call, its exception turned into the code-5 payload Execute would answer.
void RunCatching(void* context) {
  auto& call = *static_cast<Recoverable*>(context);
  try {
    call.body(call.context);
    call.ran = true;
  } catch (...) {
    call.failure->code = kPanic;
    call.failure->payload = FailurePayloadForCurrentException(call.callee);
  }
}

bool AdoptInstance(std::string_view type_name, std::shared_ptr<void> object, std::uint64_t* index,
                   TypedFailure* failure) noexcept {
  try {
    const ActorType& type = TheApplication().registry.ActorTypeOrThrow(type_name);
    *index = ApplicationDispatcher().AdoptInstance(ActorInstance{std::move(object), &type});
    return true;
  } catch (...) {
    failure->code = kPanic;
    failure->payload = FailurePayloadForCurrentException(type_name);
    return false;
  }
}

bool CloseInstance(std::uint64_t index) noexcept {
  try {
    return ApplicationDispatcher().CloseInstance(index);
  } catch (...) {  // (a destructor that throws: the instance is gone either way)
    return true;
  }
}

void CountFailure(std::string_view callee, std::size_t fewest, std::size_t most, std::size_t received,
                  TypedFailure* failure) noexcept {
  failure->code = kPanic;
  try {
    if (fewest == most) throw ArgumentError(std::string(callee), most, received);
    throw ArgumentError(std::string(callee), fewest, most, received);
  } catch (...) {
    failure->payload = FailurePayloadForCurrentException(callee);
  }
}

const TypedEntries* MakeTable() {
  auto* table = new TypedEntries;  // never destroyed: the extension may call until exit
  table->abi = kTypedEntriesAbi;
  table->adopt_instance = &AdoptInstance;
  table->close_instance = &CloseInstance;
  table->count_failure = &CountFailure;
  table->run = &RunTyped;
  const Application& application = TheApplication();
  table->app_name = application.registry.name();
  table->signatures = application.registry.signatures();
  table->registration_error = application.registration_error;
  if (!table->registration_error.empty()) return table;
  table->entries = application.registry.typed_tasks();
  for (const auto& [name, type] : application.registry.actor_types()) {
    table->entries.insert(table->entries.end(), type.typed_entries.begin(), type.typed_entries.end());
  }
  return table;
}

}  // namespace

bool RunTyped(const char* kind, std::string_view callee, void (*body)(void*), void* context,
              TypedFailure* failure) noexcept {
  // As Execute: the crash handlers installed, this thread's alternate stack.
  static const bool crash_handlers = (crash::Install(), true);
  (void)crash_handlers;
  crash::PreparedCallScope scope(kind, callee);
  Recoverable call{body, context, false, callee, failure};
  if (crash::Recovering()) {
    if (!crash::RecoveredReport().empty()) {  // nothing runs after a recovered crash (as Execute)
      failure->code = kCrashed;
      failure->payload = crash::RefusalAfterCrash();
      return false;
    }
    if (!crash::RunRecoverable(&RunCatching, &call)) {
      // Nothing more is sent after a recovered crash: a lock it left held could hang us.
      failure->code = kCrashed;
      failure->payload = std::string(crash::RecoveredReport());
      return false;
    }
  } else {
    RunCatching(&call);
  }
  FlushSubmissions();  // what the call submitted reaches the driver before it returns
  return call.ran;
}

void UnpackedBase::Unpack(const std::string_view* packed, std::size_t count, std::string_view callee) {
  objects.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (packed[i].empty()) continue;
    std::size_t offset = 0;
    bool referenced = false;
    objects[i] = msgpack::unpack(zone, packed[i].data(), packed[i].size(), offset, referenced, nullptr, nullptr,
                                 codec::UnpackLimitFor(packed[i].size()));
  }
  refs.Adopt(objects.data(), objects.size(), callee);
}

PackedResult PackResult(void (*encode)(codec::Packer&, void*), void* value) {
  PackedResult packed;
  codec::Buffer out;
  {
    PinScope pins(packed.pins);
    codec::Packer packer(out);
    try {
      encode(packer, value);
    } catch (const std::length_error& error) {  // as EncodeResults words it for Execute
      codec::detail::ThrowTooLargeIn("the result", error);
    }
  }
  packed.block.assign(out.data(), out.size());
  return packed;
}

const TypedEntries* TypedEntriesTable(std::uint64_t abi) noexcept {
  if (abi != kTypedEntriesAbi) return nullptr;
  try {
    static const TypedEntries* const table = MakeTable();
    return table;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace goray::detail
