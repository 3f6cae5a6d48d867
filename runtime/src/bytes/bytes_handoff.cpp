// Large byte-vector results handed over like arrays (docs/protocol.md §10,
// "Arrays out of band"): ext 72 owned with the bytes flag.
// Tests: tests/cpp/bytes_handoff_test.cpp
#include <cstdint>

#include "codec/array_handoff.h"
#include "goray/codec.h"

namespace goray::codec::detail {

void EncodeBytesHandoff(Packer& packer, const void* data, std::size_t bytes,
                        std::shared_ptr<const void> owner) {
  constexpr auto kFlagsOwnedBytes = static_cast<char>(kArrayOwned | kArrayBytes);
  EncodeOwnedAddressExt(packer, 'u', 1, {static_cast<std::int64_t>(bytes)}, data, std::move(owner),
                        kFlagsOwnedBytes);
}

}  // namespace goray::codec::detail
