// The features the driver turned on (goray/detail/features.h).
#include "goray/detail/features.h"

#include <atomic>

#include "goray/detail/submission.h"
#include "driver_session.h"
#include "submission_queue.h"

namespace goray::detail {
namespace {
std::atomic<std::uint64_t> g_features{0};
}  // namespace

std::uint64_t Features() noexcept { return g_features.load(std::memory_order_relaxed); }

std::uint64_t SetFeatures(std::uint64_t requested) {
  const std::uint64_t enabled = requested & kSupportedFeatures;
  // Records already queued go out before calls are synchronous again.
  if ((enabled & kFeaturePipelined) == 0) FlushSubmissions();
  g_features.store(enabled, std::memory_order_relaxed);
  // A driver turning features on starts afresh (driver_session.h): the read-ahead pause
  // learnt before says nothing now, it may not know the option sets defined before, and
  // it may take NextStreamRef's flags that an earlier driver refused.
  RestartReadAhead();
  ForgetOptionSets();
  ForgetStreamRequestForm();
  return enabled;
}

}  // namespace goray::detail
