#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  GORAY_ACTOR_OPTIONS(R"({"max_restarts": 1})") static long Total();
};
