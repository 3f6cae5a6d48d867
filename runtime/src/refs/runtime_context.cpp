// GetRuntimeContext: asks Ray in-process (ExePyCode), so it works under any driver.
// Tests: tests/ray/test_cpp_driver.py
#include <map>

#include "goray/local.h"
#include "goray/remote.h"

namespace goray {
namespace {

// Without Ray in this process every id is "" (ray.get_runtime_context would start a Ray).
constexpr const char* kContextCode = R"(def runtime_context():
    import sys
    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return {"node_id": "", "job_id": "", "task_id": "", "actor_id": ""}
    context = ray.get_runtime_context()
    # A driver has no task or actor id, and Ray logs a warning at each get_task_id there.
    in_worker = context.worker.mode == ray.WORKER_MODE
    def text(get):
        try:
            value = get()
        except Exception:
            return ""
        return value or ""
    return {
        "node_id": text(context.get_node_id),
        "job_id": text(context.get_job_id),
        "task_id": text(context.get_task_id) if in_worker else "",
        "actor_id": text(context.get_actor_id) if in_worker else "",
    }
)";

}  // namespace

RuntimeContext GetRuntimeContext() {
  auto fields = CallPythonCode(kContextCode).Get<std::map<std::string, std::string>>();
  return RuntimeContext{fields["node_id"], fields["job_id"], fields["task_id"], fields["actor_id"]};
}

}  // namespace goray
