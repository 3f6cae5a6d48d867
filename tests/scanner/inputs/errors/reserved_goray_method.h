#include <goray/annotations.h>
class GORAY_ACTOR Worker {
 public:
  void _goray_call();
};
