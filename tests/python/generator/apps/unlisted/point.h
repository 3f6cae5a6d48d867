// A struct in a header that goray_add_app's SOURCES do not list: goray-gen learns of it
// through a task's signature, writes its adaptor into unlisted.goray.cpp, and names this
// file in its depfile so a change here regenerates.
#pragma once

struct Point {
  double x = 0;
  double y = 0;
};
