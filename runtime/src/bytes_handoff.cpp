// Large byte-vector results handed over like arrays (docs/protocol.md §10,
// "Arrays out of band"): ext 72 owned with the bytes flag.
#include <stdexcept>

#include "array_handoff.h"
#include "goray/codec.h"

namespace goray::codec::detail {
namespace {

constexpr char kFlagsOwnedBytes = 1 | 4;  // bit 0 owned, bit 2 bytes
constexpr std::size_t kPayloadSize = 4 + 8 + 16;  // header, shape (n,), address, token

void StoreLittle(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

void EncodeBytesHandoff(Packer& packer, const void* data, std::size_t bytes,
                        std::shared_ptr<const void> owner) {
  HandoffResults* results = ActiveHandoff();
  if (results == nullptr || !owner) {
    throw std::logic_error("goray: bytes handed over outside a handoff result encoding");
  }
  const std::uint64_t token = RegisterHandoff(std::const_pointer_cast<void>(std::move(owner)));
  try {
    results->Add(token);
  } catch (...) {
    ReleaseHandoff(token);
    throw;
  }
  char payload[kPayloadSize];
  payload[0] = 'u';
  payload[1] = 1;  // itemsize
  payload[2] = 1;  // ndim
  payload[3] = kFlagsOwnedBytes;
  StoreLittle(payload + 4, static_cast<std::uint64_t>(bytes));
  StoreLittle(payload + 12, reinterpret_cast<std::uintptr_t>(data));
  StoreLittle(payload + 20, token);
  packer.pack_ext(kPayloadSize, kArrayAddressExt);
  packer.pack_ext_body(payload, static_cast<std::uint32_t>(kPayloadSize));
}

}  // namespace goray::codec::detail
