#include <goray/goray.h>
namespace jobs {
struct Logger {};
}  // namespace jobs
struct GORAY_TASKS Tasks {
  void Log(goray::ActorHandleOf<jobs::Logger> logger);
};
