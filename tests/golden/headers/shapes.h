// A project header the sources include but the inputs do not list: scanned all the same.
#pragma once

struct Point {
  double x = 0;
  double y = 0;
};
