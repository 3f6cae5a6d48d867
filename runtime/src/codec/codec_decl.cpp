// The non-template parts of goray/codec_decl.h: DecodeError, and the words for what was
// received (an array ext named by array_ext_names.cpp, below this).
// Tests: tests/cpp/codec_test.cpp
#include "goray/codec_decl.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "codec/array_ext_names.h"
#include "goray/detail/protocol_numbers.h"

namespace goray::codec {
namespace {

// msgpack's timestamp ext type.
constexpr std::int8_t kTimestampType = -1;

std::string Message(const std::string& expected, const std::string& received,
                    const std::string& path) {
  std::string message = "expected " + expected + ", received " + received;
  if (!path.empty()) message += " (at " + path + ")";
  return message;
}

// "without field .lon (double, in geo::Point)" and the like: a struct's field problem
// after the word for what was received.
std::string FieldProblem(DecodeError::Kind kind, const std::string& struct_name,
                         const std::string& field_type, const std::string& path) {
  switch (kind) {
    case DecodeError::Kind::kMissingField:
      return "without field " + path + " (" + field_type + ", in " + struct_name + ")";
    case DecodeError::Kind::kUnknownField:
      return "with unknown field " + (path.empty() ? "(a key)" : path) + " (not in " + struct_name + ")";
    case DecodeError::Kind::kRepeatedField:
      return "with field " + path + " twice (in " + struct_name + ")";
    case DecodeError::Kind::kValue:
      break;
  }
  return {};
}

// The what() of a struct's field problem: "missing field .lon (double, in geo::Point)".
std::string FieldMessage(DecodeError::Kind kind, const std::string& struct_name,
                         const std::string& field_type, const std::string& path) {
  switch (kind) {
    case DecodeError::Kind::kMissingField:
      return "missing field " + path + " (" + field_type + ", in " + struct_name + ")";
    case DecodeError::Kind::kUnknownField:
      return "unknown field " + (path.empty() ? "(a key)" : path) + " (not in " + struct_name + ")";
    case DecodeError::Kind::kRepeatedField:
      return "repeated field " + path + " (in " + struct_name + ")";
    case DecodeError::Kind::kValue:
      break;
  }
  return {};
}

template <class Number>
void AppendNumber(std::string& out, Number number) {
  char digits[64];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, result.ptr);
}

}  // namespace

DecodeError::DecodeError(std::string expected, std::string received, std::string path)
    : std::runtime_error(Message(expected, received, path)),
      expected_(std::move(expected)),
      received_(std::move(received)),
      path_(std::move(path)) {}

DecodeError::DecodeError(Kind kind, std::string struct_name, std::string expected,
                         std::string path)
    : std::runtime_error(FieldMessage(kind, struct_name, expected, path)),
      expected_(std::move(expected)),
      path_(std::move(path)),
      struct_name_(std::move(struct_name)),
      kind_(kind) {}

DecodeError DecodeError::Within(std::string_view prefix) const {
  std::string path;
  path.reserve(prefix.size() + path_.size());
  path.append(prefix);
  path.append(path_);
  if (kind_ != Kind::kValue) return DecodeError(kind_, struct_name_, expected_, std::move(path));
  return DecodeError(expected_, received_, std::move(path));
}

std::string DescribeReceived(const DecodeError& error, std::string_view outer) {
  if (error.kind() != DecodeError::Kind::kValue) {
    return std::string(outer) + " " +
           FieldProblem(error.kind(), error.struct_name(), error.expected(), error.path());
  }
  if (error.path().empty()) return error.received();
  return std::string(outer) + " (at " + error.path() + ": expected " + error.expected() +
         ", received " + error.received() + ")";
}

std::string_view ReceivedTypeName(const msgpack::object& object) {
  switch (object.type) {
    case msgpack::type::NIL:
      return "nil";
    case msgpack::type::BOOLEAN:
      return "bool";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "int";
    case msgpack::type::FLOAT32:
      return "float32";
    case msgpack::type::FLOAT64:
      return "float64";
    case msgpack::type::STR:
      return "str";
    case msgpack::type::BIN:
      return "bin";
    case msgpack::type::ARRAY:
      return "array";
    case msgpack::type::MAP:
      return "map";
    case msgpack::type::EXT:
      return "ext";
  }
  return "unknown";
}

std::string ReceivedDescription(const msgpack::object& object) {
  std::string text(ReceivedTypeName(object));
  switch (object.type) {
    case msgpack::type::POSITIVE_INTEGER:
      text += ' ';
      AppendNumber(text, object.via.u64);
      break;
    case msgpack::type::NEGATIVE_INTEGER:
      text += ' ';
      AppendNumber(text, object.via.i64);
      break;
    case msgpack::type::FLOAT32:
      text += ' ';
      AppendNumber(text, static_cast<float>(object.via.f64));
      break;
    case msgpack::type::FLOAT64:
      text += ' ';
      AppendNumber(text, object.via.f64);
      break;
    case msgpack::type::EXT:
      if (object.via.ext.type() == kTimestampType) {
        text = "timestamp";
      } else if (object.via.ext.type() == detail::kExtObjectRef && object.via.ext.size == 8) {
        text = "ObjectRef (ext 73)";
      } else if (object.via.ext.type() == detail::kExtActorHandle && object.via.ext.size == 8) {
        text = "ActorHandle (ext 74)";
      } else if (std::string array = detail::DescribeArrayExt(object); !array.empty()) {
        text = std::move(array);
      } else if (std::string column = detail::DescribeColumnExt(object); !column.empty()) {
        text = std::move(column);
      } else if (object.via.ext.type() == detail::kExtComplex) {
        text = "complex (ext 75)";
      } else if (object.via.ext.type() == detail::kExtPath) {
        text = "path (ext 76)";
      } else if (object.via.ext.type() == detail::kExtDuration) {
        text = "duration (ext 77)";
      } else {
        text += ' ';
        AppendNumber(text, static_cast<int>(object.via.ext.type()));
      }
      break;
    default:
      break;
  }
  return text;
}

}  // namespace goray::codec
