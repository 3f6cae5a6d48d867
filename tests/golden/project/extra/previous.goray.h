// A goray-gen output: not scanned (it would be an error).
#include <goray/annotations.h>
GORAY_DRIVER void NotADriver();
