// A task whose struct is declared in a header outside the sources' root.
#include <goray/annotations.h>

#include "other.h"

struct GORAY_TASKS Tasks {
  Other Same(Other o) { return o; }
};
