// Constructors of the goray exceptions: they assemble what() from the parts.
#include "goray/errors.h"

#include <utility>

#include "compose_what.h"

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

ArgumentError::ArgumentError(std::string task, std::size_t expected_count,
                             std::size_t received_count)
    : Error("goray::ArgumentError",
            "expected " + std::to_string(expected_count) +
                (expected_count == 1 ? " argument" : " arguments") + ", received " +
                std::to_string(received_count),
            std::move(task)),
      expected_(std::to_string(expected_count)),
      received_(std::to_string(received_count)) {}

ArgumentError::ArgumentError(std::string task, std::size_t fewest_count, std::size_t most_count,
                             std::size_t received_count)
    : Error("goray::ArgumentError",
            "expected " + std::to_string(fewest_count) + " to " + std::to_string(most_count) +
                " arguments, received " + std::to_string(received_count),
            std::move(task)),
      expected_(std::to_string(fewest_count) + " to " + std::to_string(most_count)),
      received_(std::to_string(received_count)) {}

ResultTypeError::ResultTypeError(std::string callee, std::string expected, std::string received)
    : Error("goray::ResultTypeError", "expected " + expected + ", received " + received,
            std::move(callee)) {}

ProtocolError::ProtocolError(std::string message)
    : Error("goray::ProtocolError", std::move(message)) {}

UnknownNameError::UnknownNameError(std::string kind, std::string name, std::string known_names)
    : Error("goray::UnknownNameError",
            "unknown " + kind + " '" + name + "'; known " + kind + "s: " +
                (known_names.empty() ? std::string("(none)") : known_names),
            name) {}

}  // namespace goray
