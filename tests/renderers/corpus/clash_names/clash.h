#pragma once
// User names equal to names goray-gen uses itself: goray_detail, the call classes, the
// handle suffix, std/goray/msgpack as task names, parameters named like template
// parameters and lambda arguments.
#include <goray/goray.h>

#include <cstdint>
#include <string>

struct goray_detail {
  int64_t value = 0;
};

struct TaskCall {
  std::string packer;
  std::string value;
  std::string decoder;
  std::string object;
};

class GORAY_ACTOR Counter {
 public:
  Counter() = default;
  int64_t RemoteCall(int64_t A0, int64_t goray_a0 = 1) { return A0 + goray_a0; }
  int64_t Get(int64_t registry = 0) { return registry; }
};

struct GORAY_TASKS Tasks {
  goray_detail Detail(goray_detail d) { return d; }
  TaskCall Call(TaskCall call, int64_t A1 = 0) { return call; }
  int64_t CounterHandle(int64_t self = 0) { return self; }
  int64_t Register_clash_cpp(int64_t x) { return x; }
  int64_t std(int64_t x) { return x; }
  int64_t msgpack(int64_t x) { return x; }
};
