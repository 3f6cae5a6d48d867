// A Py2Native reply: a return code and a malloc-backed body handed to the driver.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "goray/codec.h"
#include "goray/detail/pins.h"

namespace goray::detail {

// Return codes (docs/protocol.md §1).
enum ReturnCode : long long {
  kSuccess = 0,
  kFailed = 1,
  kTimeout = 2,
  kCancelled = 3,
  kObjectRefNotFound = 4,
  kPanic = 5,
  // goray extension (docs/protocol.md §14): a crash recovered with GorayRecoverCrashes;
  // the body is its report.
  kCrashed = 6,
};

struct Reply {
  long long code = kSuccess;
  codec::Buffer body{256};
  // The states of the refs and handles `body` names: kept until FreeMemory(body).
  Pins pins;
};

Reply TextReply(long long code, std::string_view text);

// A code-5 payload: {"Message": "<type>: <message> (task <task>)", "Traceback": ...,
// "Error": {"type", "message", "task", ...fields}} (docs/protocol.md §9).
// `fields` (a JSON object) holds what the error's class adds.
std::string FailurePayload(std::string_view type, std::string_view message, std::string_view task,
                           std::string_view traceback, nlohmann::json fields);

// The code-5 payload of the exception being handled, named after `callee`. Call only
// inside a catch block.
std::string FailurePayloadForCurrentException(std::string_view callee);

// Code 5 for the exception being handled, named after `callee`. Call only inside a
// catch block.
Reply PanicReplyForCurrentException(std::string_view callee);

}  // namespace goray::detail
