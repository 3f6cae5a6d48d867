// The application is named "riskray", after the team's own namespace, whose class
// riskray::Portfolio is an actor type: the wrappers get a namespace of their own,
// riskray::gen (goray-gen --namespace, NAMESPACE), while the Python module stays riskray.
#pragma once

#include <goray/goray.h>

#include <cstdint>

namespace riskray {

class GORAY_ACTOR Portfolio {
 public:
  explicit Portfolio(int64_t start) : value_(start) {}
  int64_t Add(int64_t amount) { return value_ += amount; }

 private:
  int64_t value_;
};

struct GORAY_TASKS Risk {
  static double Score(double exposure) { return exposure * 2; }
};

}  // namespace riskray
