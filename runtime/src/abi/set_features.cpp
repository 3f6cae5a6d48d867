// SetFeatures (declared in goray/detail/features.h): the driver's EnableFeatures starts a
// session afresh, so the submissions queued go out first and what was learnt of the
// earlier driver is forgotten. Above the modules it restarts; features.cpp, which every
// layer reads, stays below them.
// Tests: tests/cpp/ref_codec_test.cpp, tests/cpp/value_exts_test.cpp
#include "goray/detail/features.h"
#include "features/driver_session.h"
#include "features/features_store.h"
#include "goray/detail/submission.h"
#include "calls_out/submission_queue.h"

namespace goray::detail {

std::uint64_t SetFeatures(std::uint64_t requested) {
  const std::uint64_t enabled = requested & kSupportedFeatures;
  // Records already queued go out before calls are synchronous again.
  if ((enabled & kFeaturePipelined) == 0) FlushSubmissions();
  StoreFeatures(enabled);
  // A driver turning features on starts afresh (driver_session.h): the read-ahead pause
  // learnt before says nothing now, it may not know the option sets defined before, and
  // it may take NextStreamRef's flags that an earlier driver refused.
  RestartReadAhead();
  ForgetOptionSets();
  ForgetStreamRequestForm();
  return enabled;
}

}  // namespace goray::detail
