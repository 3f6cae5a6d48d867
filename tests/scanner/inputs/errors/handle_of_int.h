#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  void Log(std::vector<goray::ActorHandleOf<int>> loggers);
};
