// A driver that takes the command-line arguments, declared then defined, and init
// options with nested JSON.
#include <string>
#include <vector>

#include <goray/annotations.h>

namespace app {

/// Runs the application.
GORAY_DRIVER int Main(const std::vector<std::string>& args);

int Main(const std::vector<std::string>& args) { return static_cast<int>(args.size()); }

}  // namespace app

GORAY_INIT_OPTIONS(R"({"num_cpus": 4, "runtime_env": {"env_vars": {"MODE": "test"}}})");
