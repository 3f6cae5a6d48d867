// Calls from native code into the Python driver through the registered callback
// (Native2Py, docs/protocol.md §1-3), and decoding of the values it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/errors.h"

namespace goray::detail {

// The Native2Py command numbers (Native2PyCommand) are protocol_numbers.h's.

// Bytes the driver malloc'ed for a reply: owned here, released with free().
class DriverBytes {
 public:
  DriverBytes() = default;
  DriverBytes(void* data, std::size_t size) noexcept : data_(data), size_(size) {}
  DriverBytes(DriverBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DriverBytes& operator=(DriverBytes&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  DriverBytes(const DriverBytes&) = delete;
  DriverBytes& operator=(const DriverBytes&) = delete;
  ~DriverBytes() { std::free(data_); }

  // The bytes as a shared owner (freed with the last copy); this becomes empty.
  std::shared_ptr<void> Share() && {
    void* data = std::exchange(data_, nullptr);
    size_ = 0;
    if (data == nullptr) return nullptr;
    return std::shared_ptr<void>(data, [](void* pointer) { std::free(pointer); });
  }

  std::string_view view() const noexcept {
    return size_ == 0 ? std::string_view() : std::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// The driver's answer: its return code and payload bytes.
struct DriverReply {
  long long code = kFailed;
  DriverBytes data;
};

// JSON text written into the options as is.
struct JsonText {
  std::string_view text;
};

// One meta key of a call payload's JSON unit.
struct MetaField {
  std::string_view key;
  std::variant<std::string_view, std::uint64_t, JsonText> value;
};

// What a remote call adds to the JSON unit: the user's Ray options (JSON
// members, each ',"key":value') and the positions of ObjectRef arguments.
struct CallExtras {
  std::string option_members;
  std::vector<std::pair<std::size_t, std::uint64_t>> ref_positions;  // position, object id
};

// Sends one request through the callback, after any queued submissions (so the
// driver knows every id the request may name). Throws goray::Error when no
// driver registered a callback (the library was loaded outside goray).
DriverReply CallDriver(long long command, std::string_view payload);
// As CallDriver, without sending the queued submissions first.
DriverReply SendToDriver(long long command, std::string_view payload);

// Whether a code-1 reply's text is goray's structured failure (JSON with an "Error"
// member, docs/protocol.md §9). Any other text is a driver's "unknown command": GoRay's,
// or goray's from before the command, which the goray extensions name.
bool IsStructuredFailure(std::string_view text);

// Throws the exception a non-zero driver reply stands for.
[[noreturn]] void ThrowDriverFailure(const DriverReply& reply, std::string_view callee);
[[noreturn]] void ThrowDriverFailure(long long code, std::string_view text, std::string_view callee);

// A call payload under construction: unit0 (the args block) is packed straight
// into `buffer` after an 8-byte length placeholder.
void BeginArgsUnit(codec::Buffer& buffer);
// Patches unit0's length, appends unit1 (JSON of the meta keys), sends it, and
// returns the success payload; a failure is thrown (PythonError for code 1).
// CallBuilder (call_builder.h) packs the arguments and calls this. `scattered`,
// when given, are the arrays left out of unit0 (then the compact block): their
// table is unit2, n x (u64 LE offset, length, address) (docs/protocol.md §10,
// "Scattered call arguments").
DriverBytes FinishAndSendCall(codec::Buffer& buffer, long long command,
                              std::initializer_list<MetaField> meta, std::string_view callee,
                              const CallExtras* extras = nullptr,
                              const std::vector<codec::detail::ScatteredData>* scattered = nullptr);

// A u64 little-endian id reply (exactly 8 bytes).
std::uint64_t ParseId(std::string_view reply, std::string_view callee);


// Parses every msgpack value of `payload` (a native return block) into `zone`;
// strings, bytes and exts reference `payload`, which must outlive the values.
std::vector<msgpack::object> UnpackAll(msgpack::zone& zone, std::string_view payload,
                                       std::string_view callee);

}  // namespace goray::detail
