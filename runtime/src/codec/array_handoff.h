// Arrays handed to the driver as ext 72 owned: a token table that keeps each
// buffer alive until ReleaseArray (command 36), and the per-call scope that
// makes a RunTaskForPython / ActorMethodCallForPython call's results use it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "goray/codec_decl.h"  // Packer

namespace goray::codec::detail {

// Set around one Py2Native command on the calling thread. With `for_python`,
// the results that command encodes are handed over (ext 72 owned); otherwise
// they are not, whatever an outer command on this thread asked. Tokens issued
// for results are released again unless Commit() is called (the reply failed
// and never reached the driver).
class HandoffResults {
 public:
  explicit HandoffResults(bool for_python) noexcept;
  ~HandoffResults();
  HandoffResults(const HandoffResults&) = delete;
  HandoffResults& operator=(const HandoffResults&) = delete;

  void Commit() noexcept { committed_ = true; }
  void Add(std::uint64_t token) { tokens_.push_back(token); }

 private:
  HandoffResults* previous_;
  std::vector<std::uint64_t> tokens_;
  bool committed_ = false;
};

// The scope whose results are being encoded on this thread now, if they are
// handed over (inside a ResultEncodingScope of a for_python command).
HandoffResults* ActiveHandoff() noexcept;

// Keeps `owner` alive under a new token (never 0, never reused).
std::uint64_t RegisterHandoff(std::shared_ptr<void> owner);
// Drops the token's owner; false for a token that is not live.
bool ReleaseHandoff(std::uint64_t token);

// Writes ext 72 for `data` (kind, itemsize, shape, `flags`) and hands `owner` over
// under a new token added to ActiveHandoff(); throws std::logic_error without one.
void EncodeOwnedAddressExt(Packer& packer, char kind, std::uint8_t itemsize,
                           const std::vector<std::int64_t>& shape, const void* data,
                           std::shared_ptr<const void> owner, char flags);

}  // namespace goray::codec::detail
