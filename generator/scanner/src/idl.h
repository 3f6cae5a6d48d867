// The IDL as C++ types: one struct per object of generator/idl/idl.schema.json (docs/idl.md),
// named after the schema's definitions. The collector and the type mapper fill them;
// idl_writer.cpp alone turns them into JSON. No Clang and no JSON library here: what the
// scan found is plain data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace goray::scan {

// A place in a source file: `file` relative to the root ("" when outside it). The IDL's
// "location" object, and the key that orders tasks and actor types.
struct Position {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;

  friend bool operator<(const Position& a, const Position& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  }
  friend bool operator==(const Position& a, const Position& b) {
    return std::tie(a.file, a.line, a.column) == std::tie(b.file, b.line, b.column);
  }
  // "file:line:column", for messages.
  std::string Describe() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

namespace idl {

// One T held by value behind a pointer: a type object contains type objects, which a
// struct cannot hold directly. Copies are deep, so a Type copies like any value.
template <typename T>
class Box {
 public:
  Box(T value) : value_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit on purpose
  Box(const Box& other) : value_(std::make_unique<T>(*other.value_)) {}
  Box(Box&& other) noexcept = default;
  Box& operator=(Box other) noexcept {
    value_.swap(other.value_);
    return *this;
  }
  ~Box() = default;

  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }

 private:
  std::unique_ptr<T> value_;
};

struct Type;

// The kinds of a type object, one struct each (the schema's "type_<kind>"), with the data
// that kind carries besides "spelling", "canonical" and "kind". kKind is the "kind" value.
struct BoolType {
  static constexpr std::string_view kKind = "bool";
};
struct IntType {
  static constexpr std::string_view kKind = "int";
  std::uint64_t bits = 0;  // 8, 16, 32 or 64
  bool is_signed = false;
};
struct FloatType {
  static constexpr std::string_view kKind = "float";
  std::uint64_t bits = 0;  // 32 or 64
};
struct StringType {
  static constexpr std::string_view kKind = "string";
};
struct BytesType {
  static constexpr std::string_view kKind = "bytes";
};
struct VectorType {
  static constexpr std::string_view kKind = "vector";
  Box<Type> element;
};
struct ListType {
  static constexpr std::string_view kKind = "list";
  Box<Type> element;
};
struct DequeType {
  static constexpr std::string_view kKind = "deque";
  Box<Type> element;
};
struct SetType {
  static constexpr std::string_view kKind = "set";
  Box<Type> element;
};
struct UnorderedSetType {
  static constexpr std::string_view kKind = "unordered_set";
  Box<Type> element;
};
struct OptionalType {
  static constexpr std::string_view kKind = "optional";
  Box<Type> element;
};
struct ArrayType {  // std::array<T, N>
  static constexpr std::string_view kKind = "array";
  Box<Type> element;
  std::uint64_t size = 0;
};
struct PairType {
  static constexpr std::string_view kKind = "pair";
  std::vector<Type> elements;  // two
};
struct TupleType {  // several results
  static constexpr std::string_view kKind = "tuple";
  std::vector<Type> elements;
};
struct MapType {
  static constexpr std::string_view kKind = "map";
  Box<Type> key;  // a string or an int
  Box<Type> value;
};
struct UnorderedMapType {
  static constexpr std::string_view kKind = "unordered_map";
  Box<Type> key;
  Box<Type> value;
};
struct TimePointType {
  static constexpr std::string_view kKind = "time_point";
};
struct ComplexType {  // std::complex<float> (32) or std::complex<double> (64)
  static constexpr std::string_view kKind = "complex";
  std::uint64_t bits = 0;
};
struct PathType {  // std::filesystem::path
  static constexpr std::string_view kKind = "path";
};
struct DurationType {  // std::chrono::duration<Rep, Period>, Rep an integer type
  static constexpr std::string_view kKind = "duration";
};
struct StringViewType {  // std::string_view: a parameter's own type or a result only
  static constexpr std::string_view kKind = "string_view";
};
struct MonostateType {  // std::monostate: an alternative of a std::variant only
  static constexpr std::string_view kKind = "monostate";
};
struct VariantType {  // std::variant<...>: no two alternatives of one class (variants.h)
  static constexpr std::string_view kKind = "variant";
  std::vector<Type> alternatives;
};
struct ValueType {  // goray::Value
  static constexpr std::string_view kKind = "value";
};
struct StructType {
  static constexpr std::string_view kKind = "struct";
  std::string ref;  // the qualified name of a Struct in the document
};
struct EnumType {
  static constexpr std::string_view kKind = "enum";
  std::string ref;  // the qualified name of an Enum in the document
};
// goray::Array<T> ("array"), goray::ArrayView<T> ("view"), std::span<const T> ("span");
// an Eigen::Matrix or Eigen::Array ("eigen"), Eigen::Ref<const M> ("eigen_ref") and
// Eigen::Map<const M> ("eigen_map").
enum class ArrayForm { kArray, kView, kSpan, kEigen, kEigenRef, kEigenMap };
// Whether an array of this form borrows the caller's memory for one call (a parameter's
// own type only); the others own their elements.
inline bool IsBorrowed(ArrayForm form) {
  return form != ArrayForm::kArray && form != ArrayForm::kEigen;
}
// The Eigen dense class M an "eigen" array is, or an "eigen_ref"/"eigen_map" reads.
struct EigenShape {
  bool is_array = false;  // Eigen::Array (else Eigen::Matrix)
  std::int64_t rows = 0;  // compile-time sizes, -1 for Eigen::Dynamic
  std::int64_t cols = 0;
  bool row_major = false;
  std::string spelling;  // M as generated C++ spells it
};
struct NdArrayType {
  static constexpr std::string_view kKind = "ndarray";
  ArrayForm form = ArrayForm::kArray;
  std::string element;  // as generated C++ spells it: "double", "int32_t"
  std::string dtype;    // NumPy's name: "float64", "int32"
  std::optional<EigenShape> eigen;  // the Eigen forms only
};
// goray::StringColumn / goray::BinaryColumn ("view": a parameter's own type, it reads the
// caller's Arrow memory) and goray::StringColumnBuilder / goray::BinaryColumnBuilder
// ("builder": a value anywhere); pyarrow arrays in Python.
struct ColumnType {
  static constexpr std::string_view kKind = "column";
  bool text = true;      // strings ("string"), else bytes ("binary")
  bool builder = false;  // "builder", else "view"
};
struct ObjectRefType {  // goray::ObjectRef (no value) or goray::Future<T...>
  static constexpr std::string_view kKind = "object_ref";
  std::optional<Box<Type>> value;  // void, T, or a tuple of several
};
struct ActorHandleType {  // goray::ActorHandle (no class) or goray::ActorHandleOf<Class>
  static constexpr std::string_view kKind = "actor_handle";
  std::optional<std::string> class_name;
  // The actor type building `class_name`: set once every file is scanned (actor_handles.h).
  std::optional<std::string> actor;
};
struct GeneratorType {  // goray::Generator<T>, a task's or method's result only
  static constexpr std::string_view kKind = "generator";
  Box<Type> element;
};
struct VoidType {
  static constexpr std::string_view kKind = "void";
};

using TypeKind =
    std::variant<BoolType, IntType, FloatType, StringType, BytesType, VectorType, ListType,
                 DequeType, SetType, UnorderedSetType, OptionalType, ArrayType, PairType,
                 TupleType, MapType, UnorderedMapType, TimePointType, ComplexType, PathType,
                 DurationType, StringViewType, MonostateType, VariantType, ValueType,
                 StructType, EnumType, NdArrayType, ColumnType, ObjectRefType, ActorHandleType,
                 GeneratorType, VoidType>;

// A type object: how generated C++ spells the type, its canonical type (for messages) and
// what kind of value it is.
struct Type {
  std::string spelling;
  std::string canonical;
  TypeKind kind;

  // The "kind" value: "int", "vector", ...
  std::string_view KindName() const {
    return std::visit([](const auto& data) { return data.kKind; }, kind);
  }
  template <typename Kind>
  bool Is() const {
    return std::holds_alternative<Kind>(kind);
  }
  template <typename Kind>
  const Kind* As() const {
    return std::get_if<Kind>(&kind);
  }
};

// The result of a function with none.
inline Type Void() { return Type{"void", "void", VoidType{}}; }

// Calls `visit` on every type object nested in `type` (element, key, value, elements, a
// variant's alternatives, a ref's value), depth first, not on `type` itself.
template <typename Visit>
void ForEachNested(Type& type, const Visit& visit);

// A constant default argument: an integer (signed or not, as Clang evaluated it), a bool,
// a finite double, a string.
using DefaultValue = std::variant<bool, std::int64_t, std::uint64_t, double, std::string>;

enum class Passing { kValue, kConstReference, kRvalueReference };

struct Param {
  std::string name;      // "arg<i>" when unnamed
  std::string declared;  // the parameter's own type: "const std::string&"
  Passing passing = Passing::kValue;
  Type type;  // the value type
  bool has_default = false;
  std::optional<DefaultValue> default_value;  // only with has_default
};

struct Task {
  std::string name;
  std::string owner;  // the GORAY_TASKS struct
  std::optional<std::string> declaring_class;  // the public base declaring an inherited task
  bool is_static = false;
  std::vector<Param> params;
  Type result;
  std::string doc;
  Position location;
  bool keeps_gil = false;  // GORAY_KEEP_GIL: its in-process calls keep the GIL
};

// How an actor type is built: a factory of a GORAY_ACTORS struct, or a GORAY_ACTOR class's
// one public constructor.
enum class FactoryReturns { kValue, kUniquePtr, kRawPointer };
struct Factory {
  std::string owner;     // the GORAY_ACTORS struct
  std::string function;  // the factory's name
  bool is_static = false;
  FactoryReturns returns = FactoryReturns::kValue;
};
struct Constructor {};
using Construction = std::variant<Factory, Constructor>;

struct Method {
  std::string name;
  std::string declaring_class;
  bool is_const = false;
  std::vector<Param> params;
  Type result;
  std::string doc;
  std::optional<Position> location;  // none when the declaring class is outside the root
  std::optional<std::string> concurrency_group;  // GORAY_IN_GROUP's
  bool keeps_gil = false;  // GORAY_KEEP_GIL
};

struct ConcurrencyGroup {
  std::string name;
  int size = 0;
};

struct Actor {
  std::string name;
  std::string class_name;
  Construction construction;
  std::vector<Param> params;  // the factory's or constructor's
  std::vector<Method> methods;
  bool thread_safe = false;
  std::vector<ConcurrencyGroup> concurrency_groups;
  std::string doc;
  Position location;  // the factory, or the GORAY_ACTOR class
  // GORAY_ACTOR_OPTIONS (the factory's over the class's), a JSON object's text; "" none.
  std::string options;
};

struct Driver {
  std::string name;
  bool takes_args = false;
  std::string doc;
  Position location;
};

// GORAY_INIT_OPTIONS's literal. Its "value" is the text parsed; the collector has checked
// that it is a JSON object, and the writer parses it.
struct InitOptions {
  std::string text;
  Position location;
};

struct Field {
  std::string name;
  Type type;
  std::string declaring_class;
  std::string doc;
};

struct Struct {
  std::string name;
  std::vector<Field> fields;
  std::string doc;
  std::optional<Position> location;  // none outside the root
};

struct Enumerator {
  std::string name;
  std::variant<std::int64_t, std::uint64_t> value;
  std::string doc;
};

struct Enum {
  std::string name;
  bool scoped = false;
  Type underlying;  // an int
  std::vector<Enumerator> enumerators;
  std::string doc;
  std::optional<Position> location;  // none outside the root
};

// The whole document but its constants (idl_version, generator), in the IDL's order:
// tasks and actor types by location, structs and enums by name.
struct Document {
  std::vector<std::string> sources;
  std::vector<Task> tasks;
  std::vector<Actor> actors;
  std::optional<Driver> driver;
  std::optional<InitOptions> init_options;
  std::vector<Struct> structs;
  std::vector<Enum> enums;
};

template <typename Visit>
void ForEachNested(Type& type, const Visit& visit) {
  auto each = [&](Type& nested) {
    visit(nested);
    ForEachNested(nested, visit);
  };
  std::visit(
      [&](auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (requires { kind.element; } && !std::is_same_v<Kind, NdArrayType>) {
          each(*kind.element);
        } else if constexpr (requires { kind.elements; }) {
          for (Type& element : kind.elements) each(element);
        } else if constexpr (requires { kind.alternatives; }) {
          for (Type& alternative : kind.alternatives) each(alternative);
        } else if constexpr (requires { kind.key; }) {
          each(*kind.key);
          each(*kind.value);
        } else if constexpr (std::is_same_v<Kind, ObjectRefType>) {
          if (kind.value) each(**kind.value);
        }
      },
      type.kind);
}

}  // namespace idl
}  // namespace goray::scan
