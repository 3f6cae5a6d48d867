// The listing of a struct's fields for StructFields<T>() (goray/detail/struct_adaptor.h):
// a StructDecoder of the listing's map reports to the thread's innermost listing.
// Tests: tests/cpp/codec_test.cpp
#include <string>
#include <string_view>
#include <utility>

#include "goray/codec.h"

namespace goray::codec::detail {
namespace {

thread_local FieldListing* current_listing = nullptr;

}  // namespace

const msgpack::object_kv kFieldListingEntries[1] = {};

FieldListing::FieldListing() : outer_(current_listing) {
  object_.type = msgpack::type::MAP;
  object_.via.map.size = 0;
  object_.via.map.ptr = const_cast<msgpack::object_kv*>(kFieldListingEntries);
  current_listing = this;
}

FieldListing::~FieldListing() { current_listing = outer_; }

void FieldListing::ListField(std::string_view name, bool optional) {
  if (current_listing == nullptr) return;
  current_listing->seen = true;
  current_listing->fields.push_back({std::string(name), optional});
}

}  // namespace goray::codec::detail
