// A geospatial service as a user writes one (issue 53): structs, one with an optional
// field, an enum, tasks to map over many points, and a fence index that is a Ray actor, a
// pool of actors and a Serve deployment whose LocateMany goray.serve batches. The stubs'
// user program is tests/renderers/user_program/geo_user.py.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <goray/goray.h>

namespace gis {

/// What a fence encloses.
enum class Kind : int32_t { kCountry = 0, kCity = 1, kPark = 2 };

/// A point on the earth, in degrees.
struct Point {
  double lat = 0;
  double lon = 0;
};

/// A named polygon.
struct Fence {
  std::string name;
  Kind kind = Kind::kCity;
  std::vector<Point> ring;
  std::optional<std::string> note;  ///< a caller may leave it out
};

/// The fence nearest a point.
struct Hit {
  std::string name;
  Kind kind = Kind::kCity;
  double distance_m = 0;
};

struct GORAY_TASKS Tasks {
  /// The great-circle distance in metres (haversine).
  double DistanceM(double lat, double lon, double lat0, double lon0);
  /// Whether the point lies inside the ring.
  bool InRing(Point p, std::vector<Point> ring);
  /// The kind a fence's name suggests.
  Kind Classify(Fence fence);
};

/// Fences, and which of them hold a point.
class GeoIndex {
 public:
  explicit GeoIndex(std::vector<Fence> fences);
  /// The names of the fences holding the point.
  std::vector<std::string> Locate(Point p);
  /// Locate for many points at once: the method Serve batches.
  std::vector<std::vector<std::string>> LocateMany(std::vector<Point> points);
  std::optional<Hit> Nearest(Point p);
  Fence Get(std::string name);
  int64_t Add(Fence fence);
  int64_t Count(Kind kind);
};

}  // namespace gis

struct GORAY_ACTORS GeoActors {
  static std::unique_ptr<gis::GeoIndex> GeoIndex(std::vector<gis::Fence> fences);
};
