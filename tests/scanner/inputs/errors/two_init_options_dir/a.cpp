#include <goray/annotations.h>
GORAY_INIT_OPTIONS(R"({"num_cpus": 1})");
