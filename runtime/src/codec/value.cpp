// goray::Value: its msgpack encoding and decoding, accessors, equality and printing.
// Tests: tests/cpp/value_test.cpp, tests/cpp/value_exts_test.cpp
#include "goray/value.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace goray {
namespace {

constexpr char kTimestampTypeByte = static_cast<char>(-1);

enum Index : std::size_t {
  kNilIndex,
  kBoolIndex,
  kNegativeIndex,
  kUnsignedIndex,
  kFloat32Index,
  kFloat64Index,
  kStrIndex,
  kBinIndex,
  kArrayIndex,
  kMapIndex,
  kTimestampIndex,
  kExtIndex,
};

// Maps whose entries match one to one, in any order.
bool SameEntries(const Value::Map& a, const Value::Map& b) {
  if (a.size() != b.size()) return false;
  std::size_t first_difference = 0;
  while (first_difference < a.size() && a[first_difference] == b[first_difference]) {
    ++first_difference;
  }
  if (first_difference == a.size()) return true;
  std::vector<bool> used(b.size(), false);
  for (std::size_t i = first_difference; i < a.size(); ++i) {
    bool matched = false;
    for (std::size_t j = first_difference; j < b.size() && !matched; ++j) {
      if (!used[j] && a[i] == b[j]) {
        used[j] = true;
        matched = true;
      }
    }
    if (!matched) return false;
  }
  return true;
}

template <class Number>
void PrintNumber(std::ostream& out, Number number) {
  char digits[64];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, number);
  out.write(digits, result.ptr - digits);
}

void PrintQuoted(std::ostream& out, const char* data, std::size_t size, bool binary) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (binary) out << 'b';
  out << '"';
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    if (byte == '"' || byte == '\\') {
      out << '\\' << static_cast<char>(byte);
    } else if (byte < 0x20 || byte == 0x7f || (binary && byte >= 0x80)) {
      out << "\\x" << kHex[byte >> 4] << kHex[byte & 0xf];
    } else {
      out << static_cast<char>(byte);
    }
  }
  out << '"';
}

// An array by address (ext 72) points at memory that may be gone once decoding
// ends, so a Value copies it: a 1-D uint8 array as bytes (how a large Python bytes
// argument travels), any other as the same array inline (ext 71).
Value::Bytes ArrayByAddressCopy(const msgpack::object& object, bool& is_bytes) {
  codec::detail::ArrayHeader header;
  codec::detail::ReadArrayExt(object, header, "goray::Value");
  const auto* data = reinterpret_cast<const std::byte*>(header.data);
  const std::size_t bytes = static_cast<std::size_t>(header.count) * header.itemsize;
  is_bytes = header.kind == 'u' && header.itemsize == 1 && header.shape.size() == 1;
  if (is_bytes) return Value::Bytes(data, data + bytes);
  Value::Bytes payload{std::byte(header.kind), std::byte(header.itemsize),
                       std::byte(header.shape.size()), std::byte(0)};  // no pad
  for (std::int64_t extent : header.shape) {
    for (int i = 0; i < 8; ++i) {
      payload.push_back(std::byte((static_cast<std::uint64_t>(extent) >> (8 * i)) & 0xff));
    }
  }
  payload.insert(payload.end(), data, data + bytes);
  return payload;
}

}  // namespace

namespace codec::detail {

void DecodeValue(const msgpack::object& object, Value& out) {
  // Built aside first: `object` may point into `out` (Value::ToObject).
  Value result;
  result.Assign(object);
  out = std::move(result);
}

void EncodeValue(Packer& packer, const Value& value) {
  const auto& data = value.data_;
  switch (data.index()) {
    case kNilIndex:
      packer.pack_nil();
      return;
    case kBoolIndex:
      Encode(packer, *std::get_if<bool>(&data));
      return;
    case kNegativeIndex:
      packer.pack_int64(*std::get_if<std::int64_t>(&data));
      return;
    case kUnsignedIndex:
      packer.pack_uint64(*std::get_if<std::uint64_t>(&data));
      return;
    case kFloat32Index:
      EncodeFloat32(packer, *std::get_if<float>(&data));
      return;
    case kFloat64Index:
      EncodeFloat64(packer, *std::get_if<double>(&data));
      return;
    case kStrIndex:
      Encode(packer, *std::get_if<std::string>(&data));
      return;
    case kBinIndex:
      Encode(packer, *std::get_if<Value::Bytes>(&data));
      return;
    case kArrayIndex: {
      const Value::Array& elements = *std::get_if<Value::Array>(&data);
      packer.pack_array(CheckedLength(elements.size()));
      for (const Value& element : elements) EncodeValue(packer, element);
      return;
    }
    case kMapIndex: {
      const Value::Map& entries = *std::get_if<Value::Map>(&data);
      packer.pack_map(CheckedLength(entries.size()));
      for (const auto& [key, mapped] : entries) {
        EncodeValue(packer, key);
        EncodeValue(packer, mapped);
      }
      return;
    }
    case kTimestampIndex: {
      const Value::Timestamp& timestamp = *std::get_if<Value::Timestamp>(&data);
      EncodeTimestamp(packer, timestamp.seconds, timestamp.nanoseconds);
      return;
    }
    case kExtIndex: {
      const Value::Ext& ext = *std::get_if<Value::Ext>(&data);
      const std::uint32_t size = CheckedLength(ext.data.size());
      packer.pack_ext(size, ext.type);
      packer.pack_ext_body(reinterpret_cast<const char*>(ext.data.data()), size);
      return;
    }
    default:
      packer.pack_nil();  // valueless_by_exception
  }
}

}  // namespace codec::detail

Value::Value(std::chrono::system_clock::time_point value) {
  Timestamp timestamp;
  codec::detail::SplitTimePoint(value, timestamp.seconds, timestamp.nanoseconds);
  data_.emplace<Timestamp>(timestamp);
}

void Value::Assign(const msgpack::object& object) {
  auto& data = data_;
  switch (object.type) {
    case msgpack::type::NIL:
      data.emplace<std::monostate>();
      return;
    case msgpack::type::BOOLEAN:
      data.emplace<bool>(object.via.boolean);
      return;
    case msgpack::type::POSITIVE_INTEGER:
      data.emplace<std::uint64_t>(object.via.u64);
      return;
    case msgpack::type::NEGATIVE_INTEGER:
      if (object.via.i64 < 0) {
        data.emplace<std::int64_t>(object.via.i64);
      } else {
        data.emplace<std::uint64_t>(static_cast<std::uint64_t>(object.via.i64));
      }
      return;
    case msgpack::type::FLOAT32:
      data.emplace<float>(static_cast<float>(object.via.f64));
      return;
    case msgpack::type::FLOAT64:
      data.emplace<double>(object.via.f64);
      return;
    case msgpack::type::STR:
      data.emplace<std::string>(object.via.str.ptr, object.via.str.size);
      return;
    case msgpack::type::BIN: {
      const auto* begin = reinterpret_cast<const std::byte*>(object.via.bin.ptr);
      data.emplace<Value::Bytes>(begin, begin + object.via.bin.size);
      return;
    }
    case msgpack::type::ARRAY: {
      const msgpack::object_array& array = object.via.array;
      Value::Array& elements = data.emplace<Value::Array>(array.size);
      for (std::uint32_t i = 0; i < array.size; ++i) elements[i].Assign(array.ptr[i]);
      return;
    }
    case msgpack::type::MAP: {
      const msgpack::object_map& map = object.via.map;
      Value::Map& entries = data.emplace<Value::Map>(map.size);
      for (std::uint32_t i = 0; i < map.size; ++i) {
        entries[i].first.Assign(map.ptr[i].key);
        entries[i].second.Assign(map.ptr[i].val);
      }
      return;
    }
    case msgpack::type::EXT: {
      Value::Timestamp timestamp;
      if (codec::detail::ReadTimestamp(object, timestamp.seconds, timestamp.nanoseconds)) {
        data.emplace<Value::Timestamp>(timestamp);
      } else if (object.via.ext.type() == codec::detail::kExtArrayAddress) {
        bool is_bytes = false;
        Value::Bytes copy = ArrayByAddressCopy(object, is_bytes);
        if (is_bytes) {
          data.emplace<Value::Bytes>(std::move(copy));
        } else {
          data.emplace<Value::Ext>(Value::Ext{codec::detail::kExtArrayInline, std::move(copy)});
        }
      } else {
        const auto* begin = reinterpret_cast<const std::byte*>(object.via.ext.data());
        data.emplace<Value::Ext>(
            Value::Ext{object.via.ext.type(), Value::Bytes(begin, begin + object.via.ext.size)});
      }
      return;
    }
  }
  codec::detail::ThrowDecodeError("goray::Value", object);
}

Value Value::FromMsgpack(std::string_view bytes) {
  std::size_t offset = 0;
  // Strings, bins and exts are referenced, not copied: DecodeValue copies them once.
  // Bounded like requests: a forged array/map header is an error, not a huge allocation.
  const msgpack::object_handle handle = msgpack::unpack(
      bytes.data(), bytes.size(), offset,
      [](msgpack::type::object_type, std::size_t, void*) { return true; }, nullptr,
      codec::UnpackLimitFor(bytes.size()));
  if (offset != bytes.size()) {
    throw std::invalid_argument("goray::Value::FromMsgpack: " +
                                std::to_string(bytes.size() - offset) +
                                " bytes after the first value");
  }
  Value value;
  codec::detail::DecodeValue(handle.get(), value);
  return value;
}

Value::Kind Value::kind() const noexcept {
  switch (data_.index()) {
    case kBoolIndex:
      return Kind::kBool;
    case kNegativeIndex:
    case kUnsignedIndex:
      return Kind::kInt;
    case kFloat32Index:
      return Kind::kFloat32;
    case kFloat64Index:
      return Kind::kFloat64;
    case kStrIndex:
      return Kind::kStr;
    case kBinIndex:
      return Kind::kBin;
    case kArrayIndex:
      return Kind::kArray;
    case kMapIndex:
      return Kind::kMap;
    case kTimestampIndex:
      return Kind::kTimestamp;
    case kExtIndex:
      return Kind::kExt;
    default:
      return Kind::kNil;
  }
}

void Value::ThrowNot(std::string_view expected) const {
  std::string received;
  switch (data_.index()) {
    case kArrayIndex:
      received = "array";
      break;
    case kMapIndex:
      received = "map";
      break;
    case kTimestampIndex:
      received = "timestamp";
      break;
    case kExtIndex:
      received = "ext " + std::to_string(static_cast<int>(std::get_if<Ext>(&data_)->type));
      break;
    default:
      received = codec::ReceivedDescription(ToObjectIn(nullptr));
  }
  throw codec::DecodeError(std::string(expected), std::move(received));
}

bool Value::as_bool() const {
  if (const bool* value = std::get_if<bool>(&data_)) return *value;
  ThrowNot("bool");
}

std::int64_t Value::as_int64() const {
  if (const std::int64_t* value = std::get_if<std::int64_t>(&data_)) return *value;
  if (const std::uint64_t* value = std::get_if<std::uint64_t>(&data_)) {
    if (*value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(*value);
    }
  }
  ThrowNot("int64_t");
}

std::uint64_t Value::as_uint64() const {
  if (const std::uint64_t* value = std::get_if<std::uint64_t>(&data_)) return *value;
  ThrowNot("uint64_t");
}

double Value::as_double() const {
  switch (data_.index()) {
    case kFloat32Index:
      return static_cast<double>(*std::get_if<float>(&data_));
    case kFloat64Index:
      return *std::get_if<double>(&data_);
    case kNegativeIndex:
      return static_cast<double>(*std::get_if<std::int64_t>(&data_));
    case kUnsignedIndex:
      return static_cast<double>(*std::get_if<std::uint64_t>(&data_));
    default:
      ThrowNot("double");
  }
}

float Value::as_float() const {
  switch (data_.index()) {
    case kFloat32Index:
      return *std::get_if<float>(&data_);
    case kFloat64Index: {
      const double value = *std::get_if<double>(&data_);
      if (!codec::detail::FitsFloat(value)) ThrowNot("float");  // as Decode<float> does
      return static_cast<float>(value);
    }
    case kNegativeIndex:
      return static_cast<float>(*std::get_if<std::int64_t>(&data_));
    case kUnsignedIndex:
      return static_cast<float>(*std::get_if<std::uint64_t>(&data_));
    default:
      ThrowNot("float");
  }
}

std::chrono::system_clock::time_point Value::as_time_point() const {
  const Timestamp* timestamp = std::get_if<Timestamp>(&data_);
  if (timestamp == nullptr) ThrowNot(codec::TypeName<std::chrono::system_clock::time_point>());
  std::chrono::system_clock::time_point time;
  if (!codec::detail::TimestampToTimePoint(timestamp->seconds, timestamp->nanoseconds, time)) {
    throw codec::DecodeError(codec::TypeName<std::chrono::system_clock::time_point>(),
                             "timestamp " + std::to_string(timestamp->seconds) +
                                 "s (out of the clock's range)");
  }
  return time;
}

const std::string& Value::as_str() const {
  if (const std::string* value = std::get_if<std::string>(&data_)) return *value;
  ThrowNot("str");
}

const Value::Bytes& Value::as_bin() const {
  if (const Bytes* value = std::get_if<Bytes>(&data_)) return *value;
  ThrowNot("bin");
}

const Value::Array& Value::as_array() const {
  if (const Array* value = std::get_if<Array>(&data_)) return *value;
  ThrowNot("array");
}

Value::Array& Value::as_array() {
  if (Array* value = std::get_if<Array>(&data_)) return *value;
  ThrowNot("array");
}

const Value::Map& Value::as_map() const {
  if (const Map* value = std::get_if<Map>(&data_)) return *value;
  ThrowNot("map");
}

Value::Map& Value::as_map() {
  if (Map* value = std::get_if<Map>(&data_)) return *value;
  ThrowNot("map");
}

Value::Timestamp Value::as_timestamp() const {
  if (const Timestamp* value = std::get_if<Timestamp>(&data_)) return *value;
  ThrowNot("timestamp");
}

const Value::Ext& Value::as_ext() const {
  if (const Ext* value = std::get_if<Ext>(&data_)) return *value;
  ThrowNot("ext");
}

std::size_t Value::size() const {
  if (const Array* elements = std::get_if<Array>(&data_)) return elements->size();
  if (const Map* entries = std::get_if<Map>(&data_)) return entries->size();
  ThrowNot("array or map");
}

const Value& Value::operator[](std::size_t index) const {
  const Array& elements = as_array();
  if (index >= elements.size()) {
    throw std::out_of_range("goray::Value: index " + std::to_string(index) +
                            " out of range (size " + std::to_string(elements.size()) + ")");
  }
  return elements[index];
}

Value& Value::operator[](std::size_t index) {
  const Value& element = static_cast<const Value&>(*this)[index];
  return const_cast<Value&>(element);
}

const Value* Value::find(std::string_view key) const noexcept {
  const Map* entries = std::get_if<Map>(&data_);
  if (entries == nullptr) return nullptr;
  for (const auto& [entry_key, mapped] : *entries) {
    const std::string* text = std::get_if<std::string>(&entry_key.data_);
    if (text != nullptr && *text == key) return &mapped;
  }
  return nullptr;
}

const Value& Value::operator[](std::string_view key) const {
  if (!is_map()) ThrowNot("map");
  const Value* mapped = find(key);
  if (mapped == nullptr) {
    throw std::out_of_range("goray::Value: no key \"" + std::string(key) + "\"");
  }
  return *mapped;
}

Value& Value::operator[](std::string_view key) {
  if (is_nil()) data_.emplace<Map>();
  if (const Value* mapped = static_cast<const Value&>(*this).find(key)) {
    return const_cast<Value&>(*mapped);
  }
  Map& entries = as_map();
  entries.emplace_back(Value(std::string(key)), Value());
  return entries.back().second;
}

bool operator==(const Value& a, const Value& b) {
  if (a.data_.index() != b.data_.index()) return false;
  switch (a.data_.index()) {
    case kFloat32Index:
      return std::bit_cast<std::uint32_t>(*std::get_if<float>(&a.data_)) ==
             std::bit_cast<std::uint32_t>(*std::get_if<float>(&b.data_));
    case kFloat64Index:
      return std::bit_cast<std::uint64_t>(*std::get_if<double>(&a.data_)) ==
             std::bit_cast<std::uint64_t>(*std::get_if<double>(&b.data_));
    case kMapIndex:
      return SameEntries(*std::get_if<Value::Map>(&a.data_), *std::get_if<Value::Map>(&b.data_));
    default:
      return a.data_ == b.data_;
  }
}

bool Value::IsFlat() const noexcept {
  switch (data_.index()) {
    case kArrayIndex:
    case kMapIndex:
    case kTimestampIndex:
    case kExtIndex:
      return false;
    default:
      return true;
  }
}

std::size_t Value::ZoneSize() const noexcept {
  constexpr std::size_t kAlignSlack = alignof(msgpack::object);
  switch (data_.index()) {
    case kArrayIndex: {
      std::size_t size = kAlignSlack;
      for (const Value& element : *std::get_if<Array>(&data_)) {
        size += sizeof(msgpack::object) + element.ZoneSize();
      }
      return size;
    }
    case kMapIndex: {
      std::size_t size = kAlignSlack;
      for (const auto& [key, mapped] : *std::get_if<Map>(&data_)) {
        size += sizeof(msgpack::object_kv) + key.ZoneSize() + mapped.ZoneSize();
      }
      return size;
    }
    case kTimestampIndex:
      return 13;
    case kExtIndex:
      return 1 + std::get_if<Ext>(&data_)->data.size();
    default:
      return 0;
  }
}

msgpack::object Value::ToObject(msgpack::zone& zone) const { return ToObjectIn(&zone); }

msgpack::object Value::ToObjectIn(msgpack::zone* zone) const {
  msgpack::object object;  // nil
  switch (data_.index()) {
    case kBoolIndex:
      object.type = msgpack::type::BOOLEAN;
      object.via.boolean = *std::get_if<bool>(&data_);
      break;
    case kNegativeIndex:
      object.type = msgpack::type::NEGATIVE_INTEGER;
      object.via.i64 = *std::get_if<std::int64_t>(&data_);
      break;
    case kUnsignedIndex:
      object.type = msgpack::type::POSITIVE_INTEGER;
      object.via.u64 = *std::get_if<std::uint64_t>(&data_);
      break;
    case kFloat32Index:
      object.type = msgpack::type::FLOAT32;
      object.via.f64 = static_cast<double>(*std::get_if<float>(&data_));
      break;
    case kFloat64Index:
      object.type = msgpack::type::FLOAT64;
      object.via.f64 = *std::get_if<double>(&data_);
      break;
    case kStrIndex: {
      const std::string& text = *std::get_if<std::string>(&data_);
      object.type = msgpack::type::STR;
      object.via.str.size = codec::detail::CheckedLength(text.size());
      object.via.str.ptr = text.data();
      break;
    }
    case kBinIndex: {
      const Bytes& bytes = *std::get_if<Bytes>(&data_);
      object.type = msgpack::type::BIN;
      object.via.bin.size = codec::detail::CheckedLength(bytes.size());
      object.via.bin.ptr = reinterpret_cast<const char*>(bytes.data());
      break;
    }
    case kArrayIndex: {
      const Array& elements = *std::get_if<Array>(&data_);
      object.type = msgpack::type::ARRAY;
      object.via.array.size = codec::detail::CheckedLength(elements.size());
      object.via.array.ptr = nullptr;
      if (!elements.empty()) {
        auto* slots = static_cast<msgpack::object*>(zone->allocate_align(
            sizeof(msgpack::object) * elements.size(), MSGPACK_ZONE_ALIGNOF(msgpack::object)));
        for (std::size_t i = 0; i < elements.size(); ++i) {
          slots[i] = elements[i].ToObjectIn(zone);
        }
        object.via.array.ptr = slots;
      }
      break;
    }
    case kMapIndex: {
      const Map& entries = *std::get_if<Map>(&data_);
      object.type = msgpack::type::MAP;
      object.via.map.size = codec::detail::CheckedLength(entries.size());
      object.via.map.ptr = nullptr;
      if (!entries.empty()) {
        auto* slots = static_cast<msgpack::object_kv*>(
            zone->allocate_align(sizeof(msgpack::object_kv) * entries.size(),
                                 MSGPACK_ZONE_ALIGNOF(msgpack::object_kv)));
        for (std::size_t i = 0; i < entries.size(); ++i) {
          slots[i].key = entries[i].first.ToObjectIn(zone);
          slots[i].val = entries[i].second.ToObjectIn(zone);
        }
        object.via.map.ptr = slots;
      }
      break;
    }
    case kTimestampIndex: {
      const Timestamp& timestamp = *std::get_if<Timestamp>(&data_);
      char* body = static_cast<char*>(zone->allocate_no_align(13));
      body[0] = kTimestampTypeByte;
      const std::size_t size =
          codec::detail::WriteTimestamp(body + 1, timestamp.seconds, timestamp.nanoseconds);
      object.type = msgpack::type::EXT;
      object.via.ext.size = static_cast<std::uint32_t>(size);
      object.via.ext.ptr = body;
      break;
    }
    case kExtIndex: {
      const Ext& ext = *std::get_if<Ext>(&data_);
      const std::uint32_t size = codec::detail::CheckedLength(ext.data.size());
      char* body = static_cast<char*>(zone->allocate_no_align(std::size_t{size} + 1));
      body[0] = static_cast<char>(ext.type);
      if (size != 0) std::memcpy(body + 1, ext.data.data(), size);
      object.type = msgpack::type::EXT;
      object.via.ext.size = size;
      object.via.ext.ptr = body;
      break;
    }
    default:
      break;
  }
  return object;
}

std::ostream& operator<<(std::ostream& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNil:
      return out << "null";
    case Value::Kind::kBool:
      return out << (value.as_bool() ? "true" : "false");
    case Value::Kind::kInt:
      if (value.as_double() < 0) {
        PrintNumber(out, value.as_int64());
      } else {
        PrintNumber(out, value.as_uint64());
      }
      return out;
    case Value::Kind::kFloat32:
      PrintNumber(out, value.as_float());
      return out << 'f';
    case Value::Kind::kFloat64:
      PrintNumber(out, value.as_double());
      return out;
    case Value::Kind::kStr: {
      const std::string& text = value.as_str();
      PrintQuoted(out, text.data(), text.size(), false);
      return out;
    }
    case Value::Kind::kBin: {
      const Value::Bytes& bytes = value.as_bin();
      PrintQuoted(out, reinterpret_cast<const char*>(bytes.data()), bytes.size(), true);
      return out;
    }
    case Value::Kind::kArray: {
      out << '[';
      const char* separator = "";
      for (const Value& element : value.as_array()) {
        out << separator << element;
        separator = ", ";
      }
      return out << ']';
    }
    case Value::Kind::kMap: {
      out << '{';
      const char* separator = "";
      for (const auto& [key, mapped] : value.as_map()) {
        out << separator << key << ": " << mapped;
        separator = ", ";
      }
      return out << '}';
    }
    case Value::Kind::kTimestamp: {
      const Value::Timestamp timestamp = value.as_timestamp();
      return out << "timestamp(" << timestamp.seconds << ", " << timestamp.nanoseconds << ')';
    }
    case Value::Kind::kExt: {
      const Value::Ext& ext = value.as_ext();
      return out << "ext(" << static_cast<int>(ext.type) << ", " << ext.data.size() << " bytes)";
    }
  }
  return out;
}

}  // namespace goray
