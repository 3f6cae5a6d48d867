// Inherited tasks, and the members of annotated structs and actor classes the scanner
// rules skip, each with a warning that says why.
#pragma once

#include <cstdint>

#include <goray/annotations.h>

struct Helpers {
  int64_t Inherited(int64_t x) { return x; }
  static int64_t StaticInherited(int64_t x) { return x; }
  int64_t Hidden(int64_t x) { return x; }
};

struct Private {
  void NotExported() {}
};

struct GORAY_TASKS Tasks : Helpers, private Private {
  static int64_t Static(int64_t x);
  int64_t Hidden(int64_t x);  // hides Helpers::Hidden
  bool operator==(const Tasks&) const;

 private:
  int64_t Helper(int64_t x);
};

class Store {
 public:
  int64_t Get() const;
  static Store Make();

 protected:
  void Internal();  // an actor class's own business: no warning
};

struct GORAY_ACTORS Actors {
  static ::Store Store();

 protected:
  static ::Store Spare();
};
