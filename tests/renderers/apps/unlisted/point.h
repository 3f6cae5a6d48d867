// A struct in a header that goray_add_app's SOURCES do not list: goray-gen scans it as
// a project header app.cpp includes, so unlisted.goray.h includes it and holds its
// adaptor and the typed wrapper of Mirror; the depfile names it.
#pragma once

struct Point {
  double x = 0;
  double y = 0;
};
