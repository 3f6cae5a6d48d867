// An actor whose class declares its restart policy (GORAY_ACTOR_OPTIONS): run on Ray by
// apps/ray_restarts.py, from Python (the stub module, goray.golang_actor_class) and from
// the C++ driver (driver.cpp).
#pragma once

#include <unistd.h>

#include <goray/goray.h>

#include <cstdint>

namespace vault {

/// Stands for a class that owns a database connection: Ray restarts it once.
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_restarts": 1})") Keeper {
 public:
  /// The process the actor runs in: a restarted actor answers another.
  int64_t Pid() const { return static_cast<int64_t>(::getpid()); }
};

}  // namespace vault
