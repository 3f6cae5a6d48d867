#include <goray/annotations.h>
namespace other {
GORAY_DRIVER int Second() { return 1; }
}  // namespace other
