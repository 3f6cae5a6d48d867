#include <goray/annotations.h>
GORAY_INIT_OPTIONS(R"({"num_gpus": 1})");
