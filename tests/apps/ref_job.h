// A job whose input is a ref inside a struct (Python: a dict with an ObjectRef field),
// shared by the test applications that pass refs inside values (raytest, clusterapp).
#pragma once

#include <goray/goray.h>

#include <cstdint>
#include <string>

namespace testapps {

struct RefJob {
  goray::ObjectRef input;
  int64_t scale = 1;
  std::string label;
};

}  // namespace testapps

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<testapps::RefJob> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const testapps::RefJob& value) const {
      goray::codec::EncodeStructHeader(out, 3);
      goray::codec::EncodeField(out, "input", value.input);
      goray::codec::EncodeField(out, "scale", value.scale);
      goray::codec::EncodeField(out, "label", value.label);
      return out;
    }
  };
  template <>
  struct convert<testapps::RefJob> {
    const msgpack::object& operator()(const msgpack::object& object, testapps::RefJob& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("input", value.input);
      decoder.Field("scale", value.scale);
      decoder.Field("label", value.label);
      decoder.End();
      return object;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
