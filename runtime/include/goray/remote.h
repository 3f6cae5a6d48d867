// Remote calls: C++ tasks (RemoteCall) and Python tasks (RemoteCallPyTask) on
// Ray, returning ObjectRefs; streaming generators (RemoteStream, RemoteStreamPyTask)
// returning a goray::Stream. An ObjectRef argument is passed by reference and
// resolved by Ray; goray::Options follow the arguments.
#pragma once

#include <string>
#include <string_view>

#include "goray/actor_handle.h"
#include "goray/detail/call_builder.h"
#include "goray/object_ref.h"
#include "goray/stream.h"

namespace goray {

// A C++ task by its registered name, on Ray: a ref to its result. Options follow the arguments.
template <class... Args>
ObjectRef RemoteCall(std::string_view task, const Args&... args) {
  return ObjectRef(detail::SubmitTask(detail::kExeRemoteTask, task, args...), std::string(task));
}

// A Python task: a @goray.remote function or any importable function by dotted name.
template <class... Args>
ObjectRef RemoteCallPyTask(std::string_view name, const Args&... args) {
  return ObjectRef(detail::SubmitTask(detail::kExePythonRemoteTask, name, args...), std::string(name));
}

// A C++ task whose result is goray::Generator<T>, as a Ray streaming generator: its
// items as they are yielded. Submitted at once (never queued), with the option
// num_returns="streaming"; a num_returns option of the caller's throws
// std::invalid_argument.
template <class... Args>
Stream<ObjectRef> RemoteStream(std::string_view task, const Args&... args) {
  return Stream<ObjectRef>(detail::SubmitTaskStream(detail::kExeRemoteTask, task, args...),
                           std::string(task));
}

// A Python generator task (a @goray.remote generator function, or any importable one
// by dotted name), as RemoteStream.
template <class... Args>
Stream<ObjectRef> RemoteStreamPyTask(std::string_view function, const Args&... args) {
  return Stream<ObjectRef>(detail::SubmitTaskStream(detail::kExePythonRemoteTask, function, args...),
                           std::string(function));
}

// Where the calling code runs: ids as Ray reports them ("" outside a task or actor).
struct RuntimeContext {
  std::string node_id;
  std::string job_id;
  std::string task_id;
  std::string actor_id;
};
// The RuntimeContext of the calling code.
RuntimeContext GetRuntimeContext();

}  // namespace goray
