// The typed entries of an application's CPython extension module `_<name>_entries`
// (docs/protocol.md §17, docs/guide.md "In-process calls"): goray-gen writes the module's
// tables (which tasks, actor types and methods, with which C++ signatures, parameter
// names and constant defaults); everything they do is here. One entry per task, actor
// constructor and method, called by vectorcall: keyword arguments placed by the C++
// parameters' names (defaults filled in), the arguments converted straight to the C++
// parameters (convert.h), the library's typed entry called (goray/detail/typed_entry.h,
// found through GorayTypedEntries), the result converted straight back (enums as their
// Python members). No msgpack, no Python frame.
//
// The first call binds the module to the loaded library: the table GorayTypedEntries
// returned (goray._ffi read it when it loaded the library), when its application's name
// and signatures' fingerprint are the module's (else a GorayError saying which). That
// reads module attributes only; Python runs once, to load the library, when none is
// loaded yet. Every call is typed: there is no other route.
//
// A value the conversions do not take, or of a type they do not cover (one the header
// cannot name, goray::Value, a ref), is packed as the codec path packs it and decoded by
// the library for that parameter: the call stays typed, and a value that does not fit is
// the codec's ArgumentError. Such a result (a generator's: each item) comes back as a
// native return block.
//
// The GIL: released around the C++ call by default, as the codec path does, so a long
// call never stalls the process's other Python threads, a body waiting for its own
// threads calling Python never deadlocks, and a threaded actor's calls run in parallel.
// An entry declared GORAY_KEEP_GIL keeps it (annotations.h says what that forbids).
#pragma once

#include "goray/python/convert.h"
#include "goray/python/convert_values.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/detail/typed_entry.h"

namespace goray::python {

using goray::detail::TypedEntries;
using goray::detail::TypedEntry;
using goray::detail::TypedFailure;
using goray::detail::TypedKind;
using goray::detail::TypedStorage;
using goray::detail::TypedThunk;

// ---- what the module needs of goray (Python) and of the library ---------------------------

// Bound once, on the first call of any entry (EnsureBound): the library's table, and
// goray's objects the module uses, read from goray's modules.
struct Goray {
  bool bound = false;
  const char* app_name = "";
  const char* signatures = "";
  const TypedEntries* table = nullptr;  // the library's, once bound
  PyObject* error_from_reply = nullptr;  // goray.errors: (code, payload, callee) -> exception
  PyObject* argument_error = nullptr;    // goray.errors.ArgumentError
  PyObject* goray_error = nullptr;       // goray.errors.GorayError
  PyObject* unknown_name = nullptr;      // goray.errors.UnknownNameError
  PyObject* not_utf8 = nullptr;          // goray._not_utf8: (callee, result, several): raises
  PyObject* enum_classes = nullptr;      // goray._enums: C++ enum name -> its IntEnum class
  PyObject* enum_member = nullptr;       // goray._enums.member: (cpp name, value) -> the member
  PyObject* fast_pack = nullptr;         // goray._fastpath.pack: value -> bytes, or None
  PyObject* pack_argument = nullptr;     // goray._codec.pack_argument: (callee, position, value)
  PyObject* packed_result = nullptr;     // goray._entries.packed_result: (type, name, block)
  PyObject* unpack_values = nullptr;     // goray._fastpath.unpack_values: block -> list, or None
  PyObject* result_converter = nullptr;  // goray._entries.result_converter: (type, name)
  // Calls made (the module's __goray_counters__()).
  unsigned long long typed_calls = 0;
  unsigned long long packed_arguments = 0;  // arguments the library decoded from msgpack
};

inline Goray& TheGoray() {
  static Goray goray;
  return goray;
}

// Binds on first use; false with an exception set when goray cannot be imported or the
// loaded library is not the one the module was built for.
bool EnsureBound();

// The entry of a form in the library's table, or null (a form no call takes).
const TypedEntry* FindEntry(TypedKind kind, std::string_view type, std::string_view name, std::size_t arity);

// Raises what the codec path raises for this failure; null.
PyObject* RaiseFailure(const TypedFailure& failure, const char* callee);

// ---- parameters: keyword arguments to positions --------------------------------------------

// A parameter as goray-gen lists it: its C++ name (what a keyword names) and its default:
// none, one that is no constant (C++ supplies it: left out only at the end), or a constant.
struct Param {
  enum class Kind : std::uint8_t { kRequired, kCpp, kBool, kInt, kUint, kFloat, kStr };
  const char* name;
  Kind kind = Kind::kRequired;
  long long integer = 0;
  unsigned long long big = 0;
  double real = 0;
  const char* text = nullptr;

  static constexpr Param Required(const char* name) { return {name}; }
  static constexpr Param Cpp(const char* name) { return {name, Kind::kCpp}; }
  static constexpr Param Bool(const char* name, bool value) { return {name, Kind::kBool, value ? 1 : 0}; }
  static constexpr Param Int(const char* name, long long value) { return {name, Kind::kInt, value}; }
  static constexpr Param Uint(const char* name, unsigned long long value) {
    return {name, Kind::kUint, 0, value};
  }
  static constexpr Param Float(const char* name, double value) { return {name, Kind::kFloat, 0, 0, value}; }
  static constexpr Param Str(const char* name, const char* value) {
    return {name, Kind::kStr, 0, 0, 0, value};
  }
};

// A callable's parameters, made Python objects once: interned names, constant defaults.
// Places a call's keywords as _keywords.resolve did (the rules and texts of
// docs/guide.md "Keyword arguments"): a keyword names a parameter not given by position;
// parameters after the last given one are left out (C++ supplies their defaults); one
// left out before it takes its constant default, an ArgumentError when it has none.
class Signature {
 public:
  constexpr explicit Signature(std::span<const Param> params) : params_(params) {}

  std::size_t size() const noexcept { return params_.size(); }

  // Makes the names and defaults (once); false with an exception set.
  bool Prepare();

  // `args` and the keywords `kwnames` (their values after args) by position into `out`
  // (borrowed; room for size()); the count, or -1 with goray.ArgumentError set.
  Py_ssize_t Place(const char* callee, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                   PyObject** out);

 private:
  Py_ssize_t IndexOf(PyObject* keyword) const;
  PyObject* Raise(const char* callee, Py_ssize_t position, const char* expected, PyObject* received,
                  PyObject* message) const;
  PyObject* Shown(const char* callee) const;  // "Pad(n, fill=<C++ default>, width=4)"
  // Raise's for a keyword that cannot be placed: `format`'s text (PyUnicode_FromFormat's),
  // then "; the parameters: " and the callee shown; -1.
  Py_ssize_t Refuse(const char* callee, Py_ssize_t position, const char* expected, PyObject* received,
                    const char* format, ...) const;

  std::span<const Param> params_;
  std::vector<PyObject*> names_;     // kept for the process
  std::vector<PyObject*> defaults_;  // null where none is a constant
  bool prepared_ = false;
  // A call site passes the same kwnames tuple (a constant of its code) each time: what
  // Place made of the last site's is kept (its tuple held, so the address is not reused):
  // each keyword's place, the defaults filled in, the count.
  PyObject* site_kwnames_ = nullptr;
  Py_ssize_t site_nargs_ = -1;
  Py_ssize_t site_count_ = 0;
  std::vector<Py_ssize_t> site_places_;
  std::vector<Py_ssize_t> site_defaults_;
};

// ---- one callable's forms ------------------------------------------------------------------

// What goray-gen writes for a type the generated header cannot name (declared in a .cpp
// file alone): its arguments are packed, its result comes back packed.
struct Unnamed {};

namespace detail {

// Whether a string of the result just converted was not UTF-8 (StrFromUtf8); cleared.
bool TakeNotUtf8() noexcept;

// The first K parameters: a form's (a shorter form drops defaulted ones from the end).
template <class Tuple, class Sequence>
struct PrefixOf;
template <class Tuple, std::size_t... I>
struct PrefixOf<Tuple, std::index_sequence<I...>> {
  using type = std::tuple<std::tuple_element_t<I, Tuple>...>;
};
template <class Tuple, std::size_t K>
struct Prefix {
  using type = typename PrefixOf<Tuple, std::make_index_sequence<K>>::type;
};

// Whether the module converts a parameter of type P itself; else the library decodes it
// from msgpack (a type the header cannot name, goray::Value, a ref, an Eigen map).
template <class P>
inline constexpr bool kConverts = !std::is_same_v<TypedStorage<P>, Unnamed> && kTakes<P> &&
                                  std::is_default_constructible_v<TypedStorage<P>> &&
                                  std::is_move_constructible_v<TypedStorage<P>>;
template <class P>
using ModuleStorage = std::conditional_t<kConverts<P>, TypedStorage<P>, char>;

// An argument packed as the codec path packs it in-process (goray._fastpath.pack, else
// goray._codec with its ArgumentError for what cannot be packed), into `packed`: what
// owns those bytes (and the copies they point to), or null.
PyObject* PackArgument(PyObject* value, const char* callee, std::size_t position, std::string_view& packed);

// The arguments of a form: each converted, or packed for the library to decode (a value
// the conversions do not take is decoded there, with the codec path's ArgumentError).
template <class Params>
struct Arguments;
template <class... P>
struct Arguments<std::tuple<P...>> {
  static constexpr std::size_t kCount = sizeof...(P);
  std::tuple<ModuleStorage<P>...> values;
  std::tuple<std::conditional_t<kHoldsBuffer<ModuleStorage<P>>, typename HeldOf<ModuleStorage<P>>::type, char>...>
      buffers;
  // What packing made (only a call that packs an argument pays for it).
  struct Packing {
    PyObject* owners[kCount + 1] = {};
    std::string_view views[kCount + 1];
    Packing() = default;
    Packing(const Packing&) = delete;
    Packing& operator=(const Packing&) = delete;
    ~Packing() {
      for (PyObject* owner : owners) Py_XDECREF(owner);
    }
  };
  Packing* packing = nullptr;  // (owned)

  Arguments() = default;
  Arguments(const Arguments&) = delete;
  Arguments& operator=(const Arguments&) = delete;
  ~Arguments() {
    if (packing != nullptr) [[unlikely]] Release(packing);
  }

  // False with an exception set (a value that cannot be packed).
  bool Take(PyObject* const* args, const char* callee) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (TakeOne<I>(args[I], callee) && ...);
    }(std::index_sequence_for<P...>{});
  }

  template <std::size_t I>
  bool TakeOne(PyObject* object, const char* callee) {
    using Storage = std::tuple_element_t<I, std::tuple<ModuleStorage<P>...>>;
    if constexpr (kConverts<std::tuple_element_t<I, std::tuple<P...>>>) {
      bool converted;
      if constexpr (kHoldsBuffer<Storage>) {
        converted = Converter<Storage>::From(object, std::get<I>(values), std::get<I>(buffers));
      } else {
        converted = Converter<Storage>::From(object, std::get<I>(values));
      }
      if (converted) [[likely]] return true;
    }
    return Pack(object, callee, I);
  }

  // Out of line, as Release: a call that packs nothing keeps its entry small enough to inline.
  [[gnu::noinline]] bool Pack(PyObject* object, const char* callee, std::size_t position) {
    PyErr_Clear();  // (what a conversion that refused may have set)
    if (packing == nullptr) packing = new Packing;
    packing->owners[position] = PackArgument(object, callee, position, packing->views[position]);
    return packing->owners[position] != nullptr;
  }
  [[gnu::noinline]] static void Release(Packing* made) noexcept { delete made; }

  void Pointers(void** out) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[I] = static_cast<void*>(&std::get<I>(values))), ...);
    }(std::index_sequence_for<P...>{});
  }
};

// A result as the codec path gives it to Python: nothing for void, one value for a
// one-element tuple, a list for several. `result` is discarded after: a converter with
// Take (an Eigen matrix) moves it into the ndarray's owner instead of copying it.
template <class R>
PyObject* ResultToPython(R& result) {
  using Plain = TypedStorage<R>;
  if constexpr (goray::detail::IsTuple<Plain>::value) {
    if constexpr (std::tuple_size_v<Plain> == 0) {
      return Py_NewRef(Py_None);
    } else if constexpr (std::tuple_size_v<Plain> == 1) {
      return To(std::get<0>(result));
    } else {
      return To(result);
    }
  } else if constexpr (requires { Converter<Plain>::Take(std::move(result)); }) {
    return Converter<Plain>::Take(std::move(result));
  } else {
    return To<Plain>(result);
  }
}

template <class R>
struct ResultSlot {
  alignas(TypedStorage<R>) unsigned char bytes[sizeof(TypedStorage<R>)];
  TypedStorage<R>& get() { return *std::launder(reinterpret_cast<TypedStorage<R>*>(bytes)); }
};
template <>
struct ResultSlot<void> {
  unsigned char bytes[1];
};

// The result holds a std::string that is not UTF-8 (converted with surrogateescape):
// goray's helper raises the error naming where.
PyObject* RaiseNotUtf8(PyObject* value, const char* callee, bool several);

// Whether a result of type R comes back packed (a native return block) for goray to decode.
template <class R>
inline constexpr bool kPackedResult = !std::is_void_v<R> && (std::is_same_v<TypedStorage<R>, Unnamed> || !kGives<R>);
template <class Item>
inline constexpr bool kPackedResult<goray::Generator<Item>> = false;

// Whether R is a generator whose items come back packed, one native return block each.
template <class R>
inline constexpr bool kPackedItems = false;
template <class Item>
inline constexpr bool kPackedItems<goray::Generator<Item>> = kPackedResult<Item>;

// What the library constructs for a call's result: R's own form, or its packed form.
template <class R, class Result>
using SlotOf = std::conditional_t<kPackedResult<R>, goray::detail::PackedResult,
                                  std::conditional_t<kPackedItems<R>, goray::detail::TypedGenerator<
                                                                          goray::detail::PackedResult>,
                                                     Result>>;

// A packed result as the codec path gives it, its enums made members; null with an
// exception set. Decoded in C (goray._fastpath) unless it holds what only goray._codec
// decodes (refs, timestamps, text that is not UTF-8): goray._entries.packed_result.
PyObject* PackedResultToPython(const std::string& block, const char* type, const char* name);

// ---- generators: a typed call's stream, an item each next() ---------------------------------

// The Python iterator of a generator task's or method's call (a goray.LocalStream's
// interface): each next() resumes the generator as a typed call runs (the library's
// `run`: crash reports, exceptions as the codec path raises them), with the GIL released
// unless the entry keeps it; close(), the end of a `with` block or collection destroys it.
struct StreamObject {
  PyObject_HEAD
  void* stream;                                // StreamOf<T>; null once closed
  PyObject* (*next)(StreamObject* self);       // the next item; null at the end or on failure
  void (*destroy)(void* stream) noexcept;
  bool running;
};

// Where a stream's items come from: its kind ("task", "method"), type ("" for a task),
// name and callee, and whether its calls keep the GIL.
struct StreamSource {
  const char* kind;
  const char* type;
  const char* name;
  const char* callee;
  bool keeps_gil;
};

template <class T>
struct StreamOf {
  goray::detail::TypedGenerator<T> call;
  std::shared_ptr<void> instance;  // a method's actor instance, kept while its generator lives
  StreamSource source;
};

PyTypeObject* StreamType();  // (entries_impl.h)
void CloseStream(StreamObject* self) noexcept;

template <class T>
PyObject* NextItem(StreamObject* self) {
  auto& stream = *static_cast<StreamOf<T>*>(self->stream);
  struct Step {
    goray::Generator<T>* generator;
    bool more = false;
  } step{&stream.call.generator};
  auto body = [](void* context) {
    auto& resumed = *static_cast<Step*>(context);
    resumed.more = resumed.generator->Next();
  };
  TypedFailure failure;
  bool ok;
  self->running = true;
  const StreamSource& source = stream.source;
  if (source.keeps_gil) {
    ok = TheGoray().table->run(source.kind, source.callee, body, &step, &failure);
  } else {
    Py_BEGIN_ALLOW_THREADS
    ok = TheGoray().table->run(source.kind, source.callee, body, &step, &failure);
    Py_END_ALLOW_THREADS
  }
  self->running = false;
  if (!ok || !step.more) {
    const char* callee = source.callee;
    CloseStream(self);
    return ok ? nullptr : RaiseFailure(failure, callee);
  }
  if constexpr (std::is_same_v<T, goray::detail::PackedResult>) {
    return PackedResultToPython(stream.call.generator.value().block, source.type, source.name);
  } else {
    PyObject* item = To<T>(stream.call.generator.value());
    if (TakeNotUtf8() && item != nullptr) return RaiseNotUtf8(item, source.callee, false);
    return item;
  }
}

template <class T>
PyObject* MakeStream(goray::detail::TypedGenerator<T>&& call, const StreamSource& source,
                     std::shared_ptr<void> instance) {
  PyTypeObject* type = StreamType();
  auto* self = type != nullptr ? PyObject_New(StreamObject, type) : nullptr;
  if (self == nullptr) return nullptr;
  self->stream = new StreamOf<T>{std::move(call), std::move(instance), source};
  self->next = &NextItem<T>;
  self->destroy = [](void* stream) noexcept { delete static_cast<StreamOf<T>*>(stream); };
  self->running = false;
  return reinterpret_cast<PyObject*>(self);
}

}  // namespace detail

// A callable (task, method or constructor) of result R and parameters P...: its forms,
// bound to the library's typed entries on first use.
template <TypedKind kKind, class R, class... P>
class Callable {
 public:
  using Params = std::tuple<P...>;
  // What the form's call constructs: an instance, a generator with its values, a value.
  using Result = std::conditional_t<kKind == TypedKind::kConstructor, std::shared_ptr<void>,
                                    goray::detail::TypedResult<R>>;
  static constexpr std::size_t kArity = sizeof...(P);

  constexpr Callable(const char* type, const char* name, const char* callee, bool keeps_gil,
                     std::span<const Param> params)
      : type_(type), name_(name), callee_(callee), keeps_gil_(keeps_gil), signature_(params) {}

  const char* type() const noexcept { return type_; }
  const char* name() const noexcept { return name_; }
  const char* callee() const noexcept { return callee_; }

  // Binds the forms (once); false with an exception set when goray cannot be imported.
  bool Ready() {
    if (ready_) return true;
    if (!EnsureBound() || !signature_.Prepare()) return false;
    BindForms(std::make_index_sequence<kArity + 1>{});
    ready_ = true;
    return true;
  }

  // The call with `args` and the keywords `kwnames`, `self` its instance (methods).
  // `made`: where a constructor's instance goes (the result is None), a method's instance
  // (a generator keeps it).
  PyObject* Invoke(void* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                   std::shared_ptr<void>* made = nullptr) {
    if (kwnames == nullptr) return Positional(self, args, nargs, made);
    PyObject* placed[kArity + 1];
    const Py_ssize_t count = signature_.Place(callee_, args, nargs, kwnames, placed);
    if (count < 0) return nullptr;
    return Positional(self, placed, count, made);
  }

 private:
  struct Form {
    TypedThunk thunk = nullptr;
    void* state = nullptr;
  };

  [[gnu::always_inline]] PyObject* Positional(void* self, PyObject* const* args, Py_ssize_t nargs,
                                              std::shared_ptr<void>* made) {
    if (nargs >= 0 && static_cast<std::size_t>(nargs) <= kArity && forms_[nargs].thunk != nullptr) [[likely]] {
      ++TheGoray().typed_calls;
      return CallForm(self, args, nargs, made, std::make_index_sequence<kArity + 1>{});
    }
    return RaiseCount(nargs);
  }

  // No form takes `nargs` arguments: the library's own ArgumentError.
  PyObject* RaiseCount(Py_ssize_t nargs) {
    std::size_t fewest = kArity;
    while (fewest > 0 && forms_[fewest - 1].thunk != nullptr) --fewest;
    TypedFailure failure;
    TheGoray().table->count_failure(callee_, fewest, kArity, static_cast<std::size_t>(nargs), &failure);
    return RaiseFailure(failure, callee_);
  }

  template <std::size_t... K>
  void BindForms(std::index_sequence<K...>) {
    ((forms_[K] = Bound(FindEntry(kKind, type_, name_, K))), ...);
  }

  static Form Bound(const TypedEntry* entry) {
    return entry != nullptr ? Form{entry->thunk, entry->state.get()} : Form{};
  }

  template <std::size_t... K>
  PyObject* CallForm(void* self, PyObject* const* args, Py_ssize_t nargs, std::shared_ptr<void>* made,
                     std::index_sequence<K...>) {
    PyObject* result = nullptr;
    (void)((static_cast<Py_ssize_t>(K) == nargs ? (result = CallWith<K>(self, args, made), true) : false) ||
           ...);
    return result;
  }

  template <std::size_t K>
  PyObject* CallWith(void* self, PyObject* const* args, std::shared_ptr<void>* made) {
    using FormParams = typename detail::Prefix<Params, K>::type;
    detail::Arguments<FormParams> arguments;
    if (!arguments.Take(args, callee_)) return nullptr;
    void* pointers[K + 1];
    arguments.Pointers(pointers);
    static constexpr bool kPacked = detail::kPackedResult<R> || detail::kPackedItems<R>;
    detail::ResultSlot<detail::SlotOf<R, Result>> result;
    goray::detail::TypedPacking packing;
    const goray::detail::TypedPacking* packed = nullptr;
    if (kPacked || arguments.packing != nullptr) [[unlikely]] {
      packing = {arguments.packing != nullptr ? arguments.packing->views : nullptr, kPacked};
      packed = &packing;
    }
    TypedFailure failure;
    const Form& form = forms_[K];
    bool ok;
    if (keeps_gil_) {
      ok = form.thunk(form.state, self, pointers, result.bytes, packed, &failure);
    } else {
      Py_BEGIN_ALLOW_THREADS
      ok = form.thunk(form.state, self, pointers, result.bytes, packed, &failure);
      Py_END_ALLOW_THREADS
    }
    if (!ok) return RaiseFailure(failure, callee_);
    if constexpr (kKind == TypedKind::kConstructor) {
      *made = std::move(result.get());
      result.get().~shared_ptr();
      return Py_NewRef(Py_None);
    } else if constexpr (std::is_void_v<R>) {
      return Py_NewRef(Py_None);
    } else if constexpr (detail::kPackedResult<R>) {
      PyObject* value = detail::PackedResultToPython(result.get().block, type_, name_);
      result.get().~PackedResult();  // (the refs it names: adopted by now)
      return value;
    } else if constexpr (goray::detail::GeneratorResult<TypedStorage<R>>::value) {
      static constexpr const char* kKindName = kKind == TypedKind::kTask ? "task" : "method";
      return detail::MakeStream(std::move(result.get()), {kKindName, type_, name_, callee_, keeps_gil_},
                                made != nullptr ? *made : nullptr);
    } else {
      PyObject* value = detail::ResultToPython<R>(result.get());
      result.get().~TypedStorage<R>();
      if (detail::TakeNotUtf8() && value != nullptr) return detail::RaiseNotUtf8(value, callee_, kSeveral);
      return value;
    }
  }

  static constexpr bool kSeveral = [] {
    if constexpr (goray::detail::IsTuple<TypedStorage<Result>>::value) {
      return std::tuple_size_v<TypedStorage<Result>> > 1;
    } else {
      return false;
    }
  }();

  const char* type_;
  const char* name_;
  const char* callee_;
  bool keeps_gil_;
  bool ready_ = false;
  Signature signature_;
  Form forms_[kArity + 1];
};

template <class R, class... P>
using Task = Callable<TypedKind::kTask, R, P...>;
template <class R, class... P>
using Method = Callable<TypedKind::kMethod, R, P...>;
template <class... P>
using Constructor = Callable<TypedKind::kConstructor, void, P...>;

// ---- tasks ---------------------------------------------------------------------------------

// A task as goray-gen lists it: its C++ name and its entry (ml_name: its Python name).
struct TaskSpec {
  const char* cpp_name;
  PyMethodDef def;
};

// An entry function as a PyMethodDef takes it.
template <class Function>
PyCFunction Fn(Function function) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(function));
}

// A task's entry (a module function): `TaskFunction<kSquare>`.
template <auto& kTask>
PyObject* TaskFunction(PyObject*, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (!kTask.Ready()) return nullptr;
  return kTask.Invoke(nullptr, args, nargs, kwnames);
}

}  // namespace goray::python

#include "goray/python/entries_impl.h"
#include "goray/python/local_actor.h"
