#include <cstdint>
#include <goray/annotations.h>
class Counter {
 public:
  int64_t Count();
};
class Left : public Counter {};
class Right : public Counter {};
class GORAY_ACTOR Both : public Left, public Right {};
