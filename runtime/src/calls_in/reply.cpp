// Building replies, including the code-5 report of an exception (docs/protocol.md §9).
// Tests: tests/cpp/failure_payload_test.cpp
#include "calls_in/reply.h"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <typeinfo>

#include "errors/compose_what.h"
#include "goray/errors.h"
#include "goray/rows.h"

namespace goray::detail {
namespace {

void EraseAll(std::string& text, std::string_view part) {
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at)) {
    text.erase(at, part.size());
  }
}

// A type's name as written in C++ source: demangled, without libstdc++'s
// inline-namespace and ABI-tag decorations.
std::string SourceTypeName(const std::type_info* type) {
  if (type == nullptr) return "unknown";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), &std::free);
  std::string name = status == 0 && demangled ? demangled.get() : type->name();
  EraseAll(name, "__cxx11::");
  EraseAll(name, "[abi:cxx11]");
  return name;
}

struct ExceptionParts {
  std::string type;
  std::string message;
  std::string traceback;
  // The members the exception's class adds to the structured failure.
  nlohmann::json fields = nlohmann::json::object();
};

nlohmann::json ArgumentFields(const ArgumentError& error) {
  nlohmann::json position = nullptr;  // null: a wrong count
  if (error.position() != ArgumentError::kNoPosition) position = error.position();
  nlohmann::json fields = {
      {"position", position}, {"expected", error.expected()}, {"received", error.received()}};
  if (!error.path().empty()) fields["path"] = error.path();
  if (!error.struct_name().empty()) fields["struct"] = error.struct_name();
  return fields;
}

ExceptionParts DescribeCurrentException() {
  try {
    throw;
  } catch (const ArgumentError& error) {
    return {error.type(), error.message(), error.traceback(), ArgumentFields(error)};
  } catch (const UnknownNameError& error) {
    return {error.type(), error.message(), error.traceback(),
            {{"kind", error.kind()}, {"name", error.name()}, {"known", error.known()}}};
  } catch (const goray::Error& error) {
    return {error.type(), error.message(), error.traceback()};
  } catch (const std::exception& error) {
    return {SourceTypeName(&typeid(error)), error.what(), {}};
  } catch (...) {
    std::string type = SourceTypeName(abi::__cxa_current_exception_type());
    return {type, "an exception of type " + type + " that is not a std::exception", {}};
  }
}

}  // namespace

Reply TextReply(long long code, std::string_view text) {
  Reply reply;
  reply.code = code;
  reply.body.write(text.data(), text.size());
  return reply;
}

std::string FailurePayload(std::string_view type, std::string_view message, std::string_view task,
                           std::string_view traceback, nlohmann::json fields) {
  fields["type"] = type;
  fields["message"] = message;
  fields["task"] = task;
  std::string what = ComposeWhat(type, message, task);
  if (fields.contains("row")) {  // as goray.map names a failed item
    what = "row " + fields["row"].dump() + " failed: " + what;
  }
  nlohmann::json payload = {{"Message", what},
                            {"Traceback", traceback},
                            {"Error", std::move(fields)}};
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FailurePayloadForCurrentException(std::string_view callee) {
  std::optional<std::size_t> row = FailedRowOfCurrentException();  // goray::ForEachRow's
  ExceptionParts parts = DescribeCurrentException();
  if (row) parts.fields["row"] = *row;
  return FailurePayload(parts.type, parts.message, callee, parts.traceback,
                        std::move(parts.fields));
}

Reply PanicReplyForCurrentException(std::string_view callee) {
  return TextReply(kPanic, FailurePayloadForCurrentException(callee));
}

}  // namespace goray::detail
