// Constructors of the goray exceptions: they assemble what() from the parts.
// Tests: tests/cpp/bad_input_test.cpp
#include "goray/errors.h"

#include <utility>

#include "errors/compose_what.h"

namespace goray {
namespace detail {

std::string ComposeWhat(std::string_view type, std::string_view message, std::string_view task) {
  std::string what(message);
  if (!type.empty()) what = std::string(type) + ": " + what;
  if (!task.empty()) {
    what += " (task ";
    what += task;
    what += ')';
  }
  return what;
}

}  // namespace detail

namespace {

std::string JoinedOrNone(const std::vector<std::string>& names) {
  if (names.empty()) return "(none)";
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

// "1 argument", "2 arguments", "1 to 3 arguments".
std::string Arguments(std::string count, std::size_t number) {
  return count + (number == 1 ? " argument" : " arguments");
}

}  // namespace

Error::Error(std::string type, std::string message, std::string task, std::string traceback)
    : std::runtime_error(detail::ComposeWhat(type, message, task)),
      type_(std::move(type)),
      message_(std::move(message)),
      task_(std::move(task)),
      traceback_(std::move(traceback)) {}

Error::Error(CustomWhat, std::string what, std::string type, std::string message,
             std::string task, std::string traceback)
    : std::runtime_error(what),
      type_(std::move(type)),
      message_(std::move(message)),
      task_(std::move(task)),
      traceback_(std::move(traceback)) {}

PythonError::PythonError(std::string type, std::string message, std::string callee,
                         std::string traceback)
    : Error(CustomWhat{}, type + ": " + message + " (" + callee + ")", type, message, callee,
            std::move(traceback)) {}

ArgumentError::ArgumentError(std::string task, std::size_t position, std::string expected,
                             std::string received)
    : Error("goray::ArgumentError",
            "position " + std::to_string(position) + ": expected " + expected + ", received " +
                received,
            std::move(task)),
      position_(position),
      expected_(std::move(expected)),
      received_(std::move(received)) {}

ArgumentError::ArgumentError(std::string task, std::size_t position, std::string expected,
                             std::string received, std::string path, std::string struct_name)
    : ArgumentError(std::move(task), position, std::move(expected), std::move(received)) {
  path_ = std::move(path);
  struct_name_ = std::move(struct_name);
}

// The message keeps the bare received count: "expected 2 arguments, received 3".
ArgumentError::ArgumentError(std::string task, std::size_t expected_count,
                             std::size_t received_count)
    : ArgumentError(std::move(task), Arguments(std::to_string(expected_count), expected_count),
                    received_count) {}

ArgumentError::ArgumentError(std::string task, std::size_t fewest_count, std::size_t most_count,
                             std::size_t received_count)
    : ArgumentError(std::move(task),
                    Arguments(std::to_string(fewest_count) + " to " + std::to_string(most_count), 2),
                    received_count) {}

ArgumentError::ArgumentError(std::string task, std::string expected, std::size_t received_count)
    : Error("goray::ArgumentError",
            "expected " + expected + ", received " + std::to_string(received_count),
            std::move(task)),
      expected_(std::move(expected)),
      received_(Arguments(std::to_string(received_count), received_count)) {}

ResultTypeError::ResultTypeError(std::string callee, std::string expected, std::string received)
    : Error("goray::ResultTypeError", "expected " + expected + ", received " + received,
            std::move(callee)) {}

ProtocolError::ProtocolError(std::string message)
    : Error("goray::ProtocolError", std::move(message)) {}

UnknownNameError::UnknownNameError(std::string kind, std::string name,
                                   std::vector<std::string> known)
    : Error("goray::UnknownNameError",
            kind + " '" + name + "' not found; known " + kind + "s: " + JoinedOrNone(known),
            name),
      kind_(std::move(kind)),
      name_(std::move(name)),
      known_(std::move(known)) {}

}  // namespace goray
