// PyLocalInstance: a Python object living in this process, closed exactly once.
// Tests: tests/cpp/abi_test.cpp
#include "goray/local.h"

#include <cstdio>
#include <mutex>

#include "framing/framing.h"

namespace goray {
namespace {

std::mutex g_close_mutex;  // guards State::closed; never held across a callback

// Sends CloseClassInstance (command 4) for `id`.
void SendClose(std::uint64_t id, const std::string& class_name) {
  std::string payload = "{\"goray_py_local_actor_id\": " + std::to_string(id) + "}";
  detail::DriverReply reply = detail::CallDriver(detail::kCloseClassInstance, payload);
  if (reply.code != detail::kSuccess) detail::ThrowDriverFailure(reply, class_name + ".close");
}

// Marks the state closed; true if this caller is the one that must send the close.
bool ClaimClose(PyLocalInstance::State& state) {
  std::lock_guard<std::mutex> lock(g_close_mutex);
  if (state.closed) return false;
  state.closed = true;
  return true;
}

}  // namespace

PyLocalInstance::State::~State() {
  if (closed) return;
  closed = true;
  try {
    SendClose(id, class_name);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "goray: closing Python instance %s #%llu failed: %s\n",
                 class_name.c_str(), static_cast<unsigned long long>(id), error.what());
  }
}

PyLocalInstance::PyLocalInstance(std::string class_name, std::uint64_t id)
    : state_(std::make_shared<State>()) {
  state_->class_name = std::move(class_name);
  state_->id = id;
}

void PyLocalInstance::Close() {
  if (ClaimClose(*state_)) SendClose(state_->id, state_->class_name);
}

bool PyLocalInstance::closed() const noexcept {
  std::lock_guard<std::mutex> lock(g_close_mutex);
  return state_->closed;
}

void PyLocalInstance::RequireOpen(std::string_view method) const {
  if (closed()) {
    throw Error("goray::Error", "the Python instance is closed", state_->class_name + "." +
                                                                     std::string(method));
  }
}

}  // namespace goray
