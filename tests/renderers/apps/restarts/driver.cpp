// The C++ driver's side of apps/ray_restarts.py: an actor NewActor creates (through the
// typed wrapper) gets the options its class declares, and Remote()'s own win. Returns
// the number of failures; each is printed.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <thread>

#include "restarts.h"
#include "restartsapp.goray.h"

namespace {

// The actor's pid once it answers from another process than `before` (restarted), or
// nullopt when its calls keep failing (dead) or the wait runs out. Expecting it dead, the
// first ActorDiedError says so; expecting a restart, that is one more failed call (a call
// in flight when the actor died). (A template: the scan reads this signature before
// restartsapp.goray.h exists.)
template <class KeeperHandle>
std::optional<int64_t> PidAfterKill(const KeeperHandle& keeper, int64_t before,
                                    bool expect_restart) {
  keeper.Kill(goray::Option("no_restart", false));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int failed_in_a_row = 0;
  while (std::chrono::steady_clock::now() < deadline && failed_in_a_row < 25) {
    try {
      int64_t pid = keeper.Pid().Remote().Get();
      if (pid != before) return pid;
      failed_in_a_row = 0;
    } catch (const goray::ActorDiedError&) {
      if (!expect_restart) return std::nullopt;
      ++failed_in_a_row;
    } catch (const goray::Error&) {
      ++failed_in_a_row;  // unavailable while it restarts
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return std::nullopt;
}

}  // namespace

GORAY_DRIVER int Driver() {
  int failures = 0;
  restartsapp::KeeperHandle keeper = restartsapp::Keeper().Remote();
  int64_t first = keeper.Pid().Remote().Get();
  if (!PidAfterKill(keeper, first, /*expect_restart=*/true)) {
    std::cerr << "driver: the declared max_restarts=1 did not restart the killed actor\n";
    ++failures;
  }
  restartsapp::KeeperHandle once = restartsapp::Keeper().Remote(goray::Option("max_restarts", 0));
  int64_t pid = once.Pid().Remote().Get();
  if (std::optional<int64_t> again = PidAfterKill(once, pid, /*expect_restart=*/false)) {
    std::cerr << "driver: Remote(max_restarts=0) was restarted all the same (pid " << *again
              << ")\n";
    ++failures;
  }
  return failures;
}
