// Names that generated code must escape or keep apart: Python keywords, names the
// stubs and wrappers use themselves, a task and an actor type of the same name, structs
// of the same name in two namespaces, awkward doc comments.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <goray/annotations.h>

namespace a {
struct Item {
  int64_t from = 0;  ///< a Python keyword as a field: TypedDict's functional form
  std::string int_;
};
}  // namespace a

namespace b {
struct Item {
  double str = 0;  // a Python builtin's name as a field
  std::string list;
};
enum class Mode { None, _sunder_, lambda };
}  // namespace b

struct GORAY_TASKS Keywords {
  /// A doc comment with """triple quotes""" and a trailing backslash \
  /// that must not splice lines.
  int64_t lambda(int64_t from, int64_t self);
  void local(const std::string& A0, int, int arg1);
  a::Item _ray(a::Item item);
  b::Item Both(b::Item item, b::Mode mode);
  int64_t Thing();
  int64_t CounterHandle();
};

class Counter {
 public:
  int64_t close();
  int64_t from(int64_t in);
  int64_t Incr(int64_t by);
};

class Thing {
 public:
  int64_t Get();
};

struct GORAY_ACTORS Factories {
  static std::unique_ptr<::Counter> Counter();
  static std::unique_ptr<::Thing> Thing();
};
