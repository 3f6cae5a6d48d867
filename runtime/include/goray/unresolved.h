// goray::Unresolved: an ObjectRef passed to a call as the ref itself. Ray resolves a
// ref given as a top-level argument (the callee receives its value); wrapped, the ref
// travels inside the arguments block (msgpack ext 73), so a goray::ObjectRef or
// goray::Future<T...> parameter receives it unresolved. The typed wrappers that goray-gen
// writes (NAME.goray.h) wrap the arguments of such parameters themselves.
//
//   goray::RemoteCall("Forward", goray::Unresolved(ref));   // Forward(goray::ObjectRef)
#pragma once

#include <utility>

#include "goray/codec.h"
#include "goray/object_ref.h"

namespace goray {

// Wraps an ObjectRef argument so that the callee receives the ref (see above).
class Unresolved {
 public:
  explicit Unresolved(ObjectRef ref) : ref_(std::move(ref)) {}
  const ObjectRef& ref() const noexcept { return ref_; }

 private:
  ObjectRef ref_;
};

}  // namespace goray

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

// Written as the ref (ext 73): goray's codec encodes an ObjectRef inside a value.
// (A template: instantiated only where a call passes one.)
template <>
struct pack<::goray::Unresolved> {
  template <class Stream>
  packer<Stream>& operator()(packer<Stream>& out, const ::goray::Unresolved& value) const {
    ::goray::codec::Encode(out, value.ref());
    return out;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
