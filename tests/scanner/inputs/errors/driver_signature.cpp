#include <string>
#include <vector>
#include <goray/annotations.h>
GORAY_DRIVER int Run(std::vector<std::string> args) { return static_cast<int>(args.size()); }
