// The non-template parts of goray.map's native loop (goray/detail/map_loop.h).
// Tests: tests/cpp/map_loop_test.cpp
#include "goray/detail/map_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "goray/detail/array_codec.h"
#include "calls_in/reply.h"

namespace goray::detail {
namespace {

[[noreturn]] void BadHeader(const ArgList& args, const std::string& what) {
  throw ProtocolError("goray: the map chunk of " + std::string(args.callee()) + ": " + what);
}

// The nanoseconds this thread has waited on a run queue (schedstat's second field), -1
// when the kernel does not say (no /proc, or schedstats compiled out).
std::int64_t RunQueueWait() {
  const int file = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (file < 0) return -1;
  char text[96];
  const ssize_t size = ::read(file, text, sizeof(text) - 1);
  ::close(file);
  if (size <= 0) return -1;
  text[size] = '\0';
  char* end = nullptr;
  std::strtoll(text, &end, 10);  // time on a CPU
  if (end == text) return -1;
  char* after = nullptr;
  const long long waited = std::strtoll(end, &after, 10);
  return after == end ? -1 : static_cast<std::int64_t>(waited);
}

}  // namespace

// The run queue is read before the clock starts, so that reading it is not in the loop's time.
LoopClock::LoopClock() : waited_(RunQueueWait()), started_(std::chrono::steady_clock::now()) {}

std::chrono::nanoseconds LoopClock::Elapsed() const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - started_);
  if (waited_ < 0) return elapsed;
  const std::int64_t now = RunQueueWait();
  if (now < waited_) return elapsed;
  const std::chrono::nanoseconds waited(now - waited_);
  return waited < elapsed ? elapsed - waited : std::chrono::nanoseconds(0);
}

MapHeader ReadMapHeader(const ArgList& args, std::size_t params) {
  if (args.size() == 0) BadHeader(args, "no header");
  const msgpack::object& header = args[0];
  if (header.type != msgpack::type::ARRAY || header.via.array.size != 3) {
    BadHeader(args, "the header is not [count, [column?...], collect]");
  }
  const msgpack::object* parts = header.via.array.ptr;
  MapHeader read;
  if (parts[0].type != msgpack::type::POSITIVE_INTEGER) BadHeader(args, "the count is not an int");
  read.count = static_cast<std::size_t>(parts[0].via.u64);
  if (parts[1].type != msgpack::type::ARRAY || parts[1].via.array.size != params) {
    BadHeader(args, "the header marks " +
                        std::to_string(parts[1].type == msgpack::type::ARRAY
                                           ? parts[1].via.array.size : 0) +
                        " parameters as columns or not, the callee has " + std::to_string(params));
  }
  for (std::uint32_t i = 0; i < parts[1].via.array.size; ++i) {
    const msgpack::object& column = parts[1].via.array.ptr[i];
    if (column.type != msgpack::type::BOOLEAN) BadHeader(args, "a column mark is not a bool");
    read.column.push_back(column.via.boolean);
  }
  if (parts[2].type != msgpack::type::BOOLEAN) BadHeader(args, "`collect` is not a bool");
  read.collect = parts[2].via.boolean;
  return read;
}

std::string CurrentFailurePayload(std::string_view callee) {
  return FailurePayloadForCurrentException(callee);
}

void EncodeMapTail(codec::Packer& packer,
                   const std::vector<std::pair<std::size_t, std::string>>& failures,
                   std::chrono::nanoseconds loop_time) {
  packer.pack_array(static_cast<std::uint32_t>(failures.size()));
  for (const auto& [item, payload] : failures) {
    packer.pack_array(2);
    packer.pack_uint64(item);
    packer.pack_str(static_cast<std::uint32_t>(payload.size()));
    packer.pack_str_body(payload.data(), static_cast<std::uint32_t>(payload.size()));
  }
  packer.pack_int64(loop_time.count());
}

}  // namespace goray::detail

namespace goray::detail {
namespace {

// Element `i` of an array ext's data as the msgpack value a struct field decodes from.
msgpack::object ElementObject(const char* data, char kind, std::uint8_t itemsize, std::size_t i) {
  const char* at = data + i * itemsize;
  msgpack::object object;
  auto signed_value = [&]() -> std::int64_t {
    switch (itemsize) {
      case 1: { std::int8_t v; std::memcpy(&v, at, 1); return v; }
      case 2: { std::int16_t v; std::memcpy(&v, at, 2); return v; }
      case 4: { std::int32_t v; std::memcpy(&v, at, 4); return v; }
      default: { std::int64_t v; std::memcpy(&v, at, 8); return v; }
    }
  };
  auto unsigned_value = [&]() -> std::uint64_t {
    switch (itemsize) {
      case 1: { std::uint8_t v; std::memcpy(&v, at, 1); return v; }
      case 2: { std::uint16_t v; std::memcpy(&v, at, 2); return v; }
      case 4: { std::uint32_t v; std::memcpy(&v, at, 4); return v; }
      default: { std::uint64_t v; std::memcpy(&v, at, 8); return v; }
    }
  };
  switch (kind) {
    case 'b':
      object.type = msgpack::type::BOOLEAN;
      object.via.boolean = *at != 0;
      break;
    case 'f':
      if (itemsize == 4) {
        float v;
        std::memcpy(&v, at, 4);
        object.type = msgpack::type::FLOAT32;
        object.via.f64 = v;
      } else {
        double v;
        std::memcpy(&v, at, 8);
        object.type = msgpack::type::FLOAT64;
        object.via.f64 = v;
      }
      break;
    case 'i': {
      const std::int64_t v = signed_value();
      if (v < 0) {
        object.type = msgpack::type::NEGATIVE_INTEGER;
        object.via.i64 = v;
      } else {
        object.type = msgpack::type::POSITIVE_INTEGER;
        object.via.u64 = static_cast<std::uint64_t>(v);
      }
      break;
    }
    default:  // 'u' (complex fields are refused when the columns are read)
      object.type = msgpack::type::POSITIVE_INTEGER;
      object.via.u64 = unsigned_value();
  }
  return object;
}

std::string ColumnName(const msgpack::object& key) {
  return key.type == msgpack::type::STR ? std::string(key.via.str.ptr, key.via.str.size) : "?";
}

std::string Quoted(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "'" : ", '") + name + "'";
  return joined;
}

// The columns of a struct of arrays against the struct's fields: every field that is not
// optional has a column, and every column is a field. Once per chunk, before any item.
void CheckColumnsAreFields(const msgpack::object& columns, std::string_view callee,
                           std::size_t position, std::string_view struct_name,
                           const std::vector<codec::StructField>& fields) {
  std::vector<std::string> given;
  for (std::uint32_t k = 0; k < columns.via.map.size; ++k) {
    given.push_back(ColumnName(columns.via.map.ptr[k].key));
  }
  std::vector<std::string> missing;
  std::string declared;
  for (const codec::StructField& field : fields) {
    declared += (declared.empty() ? "" : ", ") + field.name + (field.optional ? " (optional)" : "");
    if (!field.optional && std::find(given.begin(), given.end(), field.name) == given.end()) {
      missing.push_back(field.name);
    }
  }
  std::vector<std::string> unknown;
  for (const std::string& name : given) {
    if (std::none_of(fields.begin(), fields.end(),
                     [&](const codec::StructField& field) { return field.name == name; })) {
      unknown.push_back(name);
    }
  }
  if (missing.empty() && unknown.empty()) return;
  std::string received = given.empty() ? "no columns" : "columns " + Quoted(given);
  if (!missing.empty()) {
    received += std::string(": no column for field") + (missing.size() > 1 ? "s " : " ") +
                Quoted(missing);
  }
  if (!unknown.empty()) {
    received += std::string(missing.empty() ? ": " : "; ") + Quoted(unknown) +
                (unknown.size() > 1 ? " are no fields of " : " is no field of ") +
                std::string(struct_name);
  }
  throw ArgumentError(std::string(callee), position,
                      "a struct of arrays of " + std::string(struct_name) + " (fields " +
                          (declared.empty() ? "none" : declared) + ")",
                      received);
}

}  // namespace

StructColumns::StructColumns(const msgpack::object& fields, std::size_t count,
                             std::string_view callee, std::size_t position,
                             std::string_view struct_name,
                             const std::optional<std::vector<codec::StructField>>& struct_fields) {
  if (struct_fields) CheckColumnsAreFields(fields, callee, position, struct_name, *struct_fields);
  auto refuse = [&](const std::string& field, const std::string& received) {
    throw ArgumentError(std::string(callee), position,
                        "a struct of arrays: each field a column of " + std::to_string(count) +
                            " items",
                        "field '" + field + "': " + received);
  };
  for (std::uint32_t k = 0; k < fields.via.map.size; ++k) {
    const msgpack::object_kv& pair = fields.via.map.ptr[k];
    Field field;
    field.key = pair.key;
    const std::string name = ColumnName(pair.key);
    if (pair.val.type == msgpack::type::ARRAY) {
      if (pair.val.via.array.size != count) {
        refuse(name, std::to_string(pair.val.via.array.size) + " items");
      }
      field.items = pair.val.via.array.ptr;
    } else if (codec::detail::IsArrayExt(pair.val)) {
      codec::detail::ArrayHeader header;
      codec::detail::ReadArrayExt(pair.val, header, "a column");
      if (header.shape.size() != 1 || header.count != count) {
        refuse(name, codec::detail::DescribeArrayExt(pair.val));
      }
      if (header.kind == 'c') refuse(name, "complex items (not a struct field's type)");
      field.data = header.data;
      field.kind = header.kind;
      field.itemsize = header.itemsize;
    } else {
      refuse(name, codec::ReceivedDescription(pair.val));
    }
    fields_.push_back(field);
  }
  pairs_.resize(fields_.size());
  item_.type = msgpack::type::MAP;
  item_.via.map.size = static_cast<std::uint32_t>(pairs_.size());
  item_.via.map.ptr = pairs_.data();
}

const msgpack::object& StructColumns::Item(std::size_t i) const {
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    const Field& field = fields_[k];
    pairs_[k].key = field.key;
    pairs_[k].val = field.items != nullptr ? field.items[i]
                                           : ElementObject(field.data, field.kind,
                                                           field.itemsize, i);
  }
  item_.via.map.ptr = pairs_.data();  // (this object may have moved since it was built)
  return item_;
}

}  // namespace goray::detail
