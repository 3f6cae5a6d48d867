// The exceptions the C++ API throws. Every one derives from goray::Error, a
// std::runtime_error whose what() is "<remote type>: <message> (task <name>)".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace goray {

// Base of every goray exception. The parts are kept apart so callers can
// inspect them without parsing what().
class Error : public std::runtime_error {
 public:
  Error(std::string type, std::string message, std::string task = {},
        std::string traceback = {});

 protected:
  // For subclasses that word what() their own way.
  struct CustomWhat {};
  Error(CustomWhat, std::string what, std::string type, std::string message, std::string task,
        std::string traceback);

 public:

  const std::string& type() const noexcept { return type_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& task() const noexcept { return task_; }
  const std::string& traceback() const noexcept { return traceback_; }

 private:
  std::string type_;
  std::string message_;
  std::string task_;
  std::string traceback_;
};

// A remote C++ task or actor method failed (GetObject code 1 or 5).
class TaskError : public Error {
 public:
  using Error::Error;
};
// The worker process running the task died (crash, kill).
class WorkerDiedError : public TaskError {
 public:
  using TaskError::TaskError;
};
// The actor died or was killed before or while running the call.
class ActorDiedError : public TaskError {
 public:
  using TaskError::TaskError;
};
// Get/Wait gave up waiting (GetObject code 2).
class TimeoutError : public Error {
 public:
  using Error::Error;
};
// The task was cancelled (GetObject code 3).
class CancelledError : public Error {
 public:
  using Error::Error;
};
// The object ref is unknown to the driver or was already released (code 4).
class ObjectRefNotFoundError : public Error {
 public:
  using Error::Error;
};
// An in-process Python call raised (Native2Py commands 0-4).
// what() is "<Python type>: <message> (<Python callee>)".
class PythonError : public Error {
 public:
  PythonError(std::string type, std::string message, std::string callee,
              std::string traceback = {});
};

// A call's arguments do not fit the callee: wrong count, wrong type, out of
// range. Thrown by invokers; reaches Python as goray.ArgumentError.
class ArgumentError : public Error {
 public:
  static constexpr std::size_t kNoPosition = static_cast<std::size_t>(-1);

  // A type or range mismatch at a 0-based argument position.
  ArgumentError(std::string task, std::size_t position, std::string expected,
                std::string received);
  // The same, for a value that failed inside: `path` is where in the argument (".lon",
  // "[2].inner.y"), `struct_name` the struct a missing, unknown or repeated field belongs
  // in ("" for a value of the wrong type).
  ArgumentError(std::string task, std::size_t position, std::string expected,
                std::string received, std::string path, std::string struct_name);
  // A wrong argument count.
  ArgumentError(std::string task, std::size_t expected_count, std::size_t received_count);
  // A count outside the range a callee with default arguments accepts.
  ArgumentError(std::string task, std::size_t fewest_count, std::size_t most_count,
                std::size_t received_count);

  // The 0-based position, or kNoPosition for a wrong count.
  std::size_t position() const noexcept { return position_; }
  // Type names; for a wrong count the counts ("2 arguments", "1 to 3 arguments").
  const std::string& expected() const noexcept { return expected_; }
  const std::string& received() const noexcept { return received_; }
  // Where inside the argument it failed ("" for the whole argument), and the struct whose
  // field is missing, unknown or repeated there ("" otherwise).
  const std::string& path() const noexcept { return path_; }
  const std::string& struct_name() const noexcept { return struct_name_; }

 private:
  ArgumentError(std::string task, std::string expected, std::size_t received_count);

  std::size_t position_ = kNoPosition;
  std::string expected_;
  std::string received_;
  std::string path_;
  std::string struct_name_;
};

// A result (of Get, or of an in-process Python call) does not decode as the
// C++ types asked for: wrong type, wrong count, out of range.
class ResultTypeError : public Error {
 public:
  ResultTypeError(std::string callee, std::string expected, std::string received);
};

// The bytes of a request break the protocol (truncated units, malformed msgpack).
class ProtocolError : public Error {
 public:
  using Error::Error;
  explicit ProtocolError(std::string message);
};

// A name (task, actor type, method, Python function) nobody registered.
class UnknownNameError : public Error {
 public:
  // `kind` says what was looked up ("task", "actor type", "method"); `known` lists
  // the names that exist.
  UnknownNameError(std::string kind, std::string name, std::vector<std::string> known);

  const std::string& kind() const noexcept { return kind_; }
  const std::string& name() const noexcept { return name_; }
  const std::vector<std::string>& known() const noexcept { return known_; }

 private:
  std::string kind_;
  std::string name_;
  std::vector<std::string> known_;
};

}  // namespace goray
