// Uses the typed wrapper of a task whose struct comes from point.h, a header SOURCES
// does not list: goray-gen scans the project headers the sources include, so the
// wrapper exists (this file does not compile otherwise).
#include <goray/goray.h>

#include "point.h"
#include "unlisted.goray.h"

goray::Future<Point> MirrorRemotely(const Point& p) { return unlisted::Mirror(p).Remote(); }
