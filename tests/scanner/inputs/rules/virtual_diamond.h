#include <cstdint>
#include <goray/annotations.h>
struct Counter {
  int64_t Count();
};
struct Left : virtual Counter {};
struct Right : virtual Counter {};
struct GORAY_TASKS Tasks : Left, Right {};
class GORAY_ACTOR Both : public Left, public Right {};
// Two non-virtual Totals subobjects: a static member is still found once.
struct Totals {
  static int64_t Total();
};
struct PlainLeft : Totals {};
struct PlainRight : Totals {};
struct GORAY_TASKS Statics : PlainLeft, PlainRight {};
