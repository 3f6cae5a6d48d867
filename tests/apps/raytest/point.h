// raytest's Point struct and its msgpack adaptor, shared by raytest.cpp (values through
// Ray) and maps.cpp (goray.map's struct parameters): one definition for the library.
#pragma once

#include <goray/goray.h>

#include <string>

namespace raytest {

struct Point {
  double x = 0;
  double y = 0;
  std::string label;
};

}  // namespace raytest

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<raytest::Point> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::Point& value) const {
      goray::codec::EncodeStructHeader(out, 3);
      goray::codec::EncodeField(out, "x", value.x);
      goray::codec::EncodeField(out, "y", value.y);
      goray::codec::EncodeField(out, "label", value.label);
      return out;
    }
  };
  template <>
  struct convert<raytest::Point> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::Point& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("x", value.x);
      decoder.Field("y", value.y);
      decoder.Field("label", value.label);
      decoder.End();
      return object;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack
