#pragma once
// Not listed among the sources: both units give Point an adaptor.
struct Point {
  double x = 0;
  double y = 0;
};
