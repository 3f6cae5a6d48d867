// A Py2Native reply: a return code and a malloc-backed body handed to the driver.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "goray/codec.h"
#include "goray/detail/pins.h"
#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// The return codes (ReturnCode: kSuccess ... kCrashed) are protocol_numbers.h's.

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
