// Ray actor options declared in C++ (GORAY_ACTOR_OPTIONS): on a GORAY_ACTOR class, on a
// class GORAY_ACTORS factories build with one factory's own over them, a thread-safe
// class's max_concurrency, and an actor type without any.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <goray/goray.h>

namespace bank {

/// Owns a database connection: Ray restarts it up to three times.
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_restarts": 3, "num_cpus": 0.5})") Ledger {
 public:
  explicit Ledger(std::string dsn);
  int64_t Post(int64_t amount);
};

/// A replica of the ledger, read-only.
class GORAY_ACTOR_OPTIONS(R"({"max_restarts": 1, "resources": {"replica": 1}})") Replica {
 public:
  int64_t Balance() const;
};

struct GORAY_ACTORS Replicas {
  /// The primary replica: restarted without limit, its calls retried.
  GORAY_ACTOR_OPTIONS(R"({"max_restarts": -1, "max_task_retries": 2})")
  static std::unique_ptr<Replica> Primary();
  /// A secondary: its class's options.
  static std::unique_ptr<Replica> Secondary();
};

/// Serves lookups on four threads.
class GORAY_ACTOR GORAY_THREADSAFE GORAY_ACTOR_OPTIONS(R"({"max_concurrency": 4})") Lookup {
 public:
  std::string Find(const std::string& key) const;
};

/// Declares no options.
class GORAY_ACTOR Plain {
 public:
  int64_t Ping() const;
};

}  // namespace bank
