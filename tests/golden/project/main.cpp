// The project's source file: includes api.h, declares the driver.
#include "api.h"

std::string Api::Hello(const std::string& name) { return "hello " + name; }

GORAY_DRIVER int Driver() { return 0; }
