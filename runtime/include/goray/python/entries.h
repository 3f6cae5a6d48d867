// The typed entries of an application's CPython extension module `_<name>_entries`
// (docs/protocol.md §17, docs/guide.md "In-process calls"): goray-gen writes the module's
// tables (which tasks, actor types and methods, with which C++ signatures); everything
// they do is here. One entry per task, actor constructor and method, called by vectorcall:
// the arguments converted straight to the C++ parameters (convert.h), the library's typed
// entry called (goray/detail/typed_entry.h, found through GorayTypedEntries), the result
// converted straight back. No msgpack, no Python frame.
//
// What is not converted here goes through the codec path, as goray.golang_local_run_task
// and goray.LocalActor always did, and answers as they did: keyword arguments, a value
// the conversions do not take (ArgumentError texts come from there), a type they do not
// cover, a generator, a library without typed entries (or one built from other sources).
//
// The GIL: released around the C++ call by default, as the codec path does, so a long
// call never stalls the process's other Python threads, a body waiting for its own
// threads calling Python never deadlocks, and a threaded actor's calls run in parallel.
// An entry declared GORAY_KEEP_GIL keeps it (annotations.h says what that forbids).
#pragma once

#include "goray/python/convert.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
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

// Bound once, on the first call of any entry: goray._entries.bind(app_name) answers the
// address of the loaded library's GorayTypedEntries (0: none) and goray's helpers.
struct Goray {
  bool bound = false;
  const char* app_name = "";
  const TypedEntries* table = nullptr;  // null: every call takes the codec path
  PyObject* error_from_reply = nullptr;  // (code, payload: bytes, callee) -> exception
  PyObject* run_task = nullptr;          // (name, *args, **kwargs): the codec path
  PyObject* call_method = nullptr;       // (actor, method, *args, **kwargs): the codec path
  PyObject* new_actor_index = nullptr;   // (type, *args, **kwargs) -> index: the codec path
  PyObject* result_converter = nullptr;  // (type, name) -> the result's enum converter or None
  PyObject* adopt_array = nullptr;       // (owner, kind, itemsize, shape, address) -> ndarray
  PyObject* not_utf8 = nullptr;          // (callee, result, several): raises NotUTF8Error
  PyObject* arrow_array = nullptr;       // ((schema capsule, array capsule)) -> pyarrow array
  PyObject* codec_error = nullptr;       // goray._codec.CodecError
  PyObject* close_actor = nullptr;       // (actor, index): CloseActor (7) by the codec path
  // Calls made typed, and calls handed to the codec path (the module's __goray_counters__()).
  unsigned long long typed_calls = 0;
  unsigned long long codec_calls = 0;
};

inline Goray& TheGoray() {
  static Goray goray;
  return goray;
}

// Binds on first use; false with an exception set when goray cannot be imported.
bool EnsureBound();

// The entry of a form in the library's table, or {} (the codec path) when the table has
// none with this signature.
const TypedEntry* FindEntry(TypedKind kind, std::string_view type, std::string_view name,
                            std::size_t arity, const char* signature);

// Raises what the codec path raises for this failure; null.
PyObject* RaiseFailure(const TypedFailure& failure, const char* callee);

// `args` (and `kwnames`) with `first` (and `second`) put before them, through `function`.
PyObject* CallPrefixed(PyObject* function, PyObject* first, PyObject* second, PyObject* const* args,
                       Py_ssize_t nargs, PyObject* kwnames);

// ---- one callable's forms ------------------------------------------------------------------

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

// The converted arguments of a form, with the buffers their views hold.
template <class Params>
struct Arguments;
template <class... P>
struct Arguments<std::tuple<P...>> {
  std::tuple<TypedStorage<P>...> values;
  std::tuple<std::conditional_t<kHoldsBuffer<TypedStorage<P>>, typename HeldOf<TypedStorage<P>>::type, char>...>
      buffers;

  bool Take(PyObject* const* args) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (TakeOne<I>(args[I]) && ...);
    }(std::index_sequence_for<P...>{});
  }

  template <std::size_t I>
  bool TakeOne(PyObject* object) {
    using Storage = std::tuple_element_t<I, std::tuple<TypedStorage<P>...>>;
    if constexpr (kHoldsBuffer<Storage>) {
      return Converter<Storage>::From(object, std::get<I>(values), std::get<I>(buffers));
    } else {
      return Converter<Storage>::From(object, std::get<I>(values));
    }
  }

  void Pointers(void** out) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[I] = static_cast<void*>(&std::get<I>(values))), ...);
    }(std::index_sequence_for<P...>{});
  }
};

template <class Tuple>
struct AllTaken;
template <class... P>
struct AllTaken<std::tuple<P...>> {
  static constexpr bool value =
      ((kTakes<P> && std::is_default_constructible_v<TypedStorage<P>> &&
        std::is_move_constructible_v<TypedStorage<P>>) && ...);
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

}  // namespace detail

// A callable (task, method or constructor) of result R and parameters P...: its forms,
// bound to the library's typed entries on first use.
template <TypedKind kKind, class R, class... P>
class Callable {
 public:
  using Params = std::tuple<P...>;
  using Result = std::conditional_t<kKind == TypedKind::kConstructor, std::shared_ptr<void>, R>;
  static constexpr std::size_t kArity = sizeof...(P);
  // Whether the conversions cover every parameter and the result.
  static constexpr bool kDirect = detail::AllTaken<Params>::value &&
                                  (kKind == TypedKind::kConstructor || kGives<R>);

  // `params`: the parameters' Python names, separated by spaces (the stub's), for keywords.
  constexpr Callable(const char* type, const char* name, const char* callee, bool keeps_gil,
                     const char* params = "")
      : type_(type), name_(name), callee_(callee), keeps_gil_(keeps_gil), params_(params) {}

  const char* type() const noexcept { return type_; }
  const char* name() const noexcept { return name_; }
  const char* callee() const noexcept { return callee_; }

  // Binds the forms (once); false with an exception set when goray cannot be imported.
  bool Ready() {
    if (ready_) return true;
    if (!EnsureBound()) return false;
    if constexpr (kDirect) {
      BindForms(std::make_index_sequence<kArity + 1>{});
      if constexpr (kKind != TypedKind::kConstructor && !std::is_void_v<R>) {
        PyObject* converter = PyObject_CallFunction(TheGoray().result_converter, "ss", type_, name_);
        if (converter == nullptr) return false;
        if (converter == Py_None) {
          Py_DECREF(converter);
        } else {
          converter_ = converter;  // kept for the process
        }
      }
    }
    ready_ = true;
    return true;
  }

  // Whether a call of `nargs` positional arguments can be made here.
  bool Direct(Py_ssize_t nargs) const noexcept {
    if constexpr (!kDirect) {
      return false;
    } else {
      return nargs >= 0 && static_cast<std::size_t>(nargs) <= kArity && forms_[nargs].thunk != nullptr;
    }
  }

  // The call's arguments in parameter order, `count` of them: `args` itself without
  // keywords; else `ordered`, filled with the `nargs` positional ones and the values of
  // `kwnames` (a vectorcall's, after them in `args`) at their parameters' places. Null
  // when a keyword names no parameter or one given already, or leaves a parameter before
  // another unset (only trailing ones have forms): the codec path then answers, and raises.
  PyObject* const* InOrder(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                           PyObject** ordered, Py_ssize_t& count) {
    count = nargs;
    if (kwnames == nullptr || PyTuple_GET_SIZE(kwnames) == 0) return args;
    // A call site passes the same kwnames tuple (a constant of its code) each time: its
    // places, found once, are kept for it (under the GIL, as every entry runs here).
    const Py_ssize_t keywords = PyTuple_GET_SIZE(kwnames);
    if (kwnames == last_kwnames_ && nargs == last_nargs_) {
      for (Py_ssize_t i = 0; i < nargs; ++i) ordered[i] = args[i];
      for (Py_ssize_t k = 0; k < keywords; ++k) ordered[last_places_[k]] = args[nargs + k];
      count = nargs + keywords;
      return ordered;
    }
    Py_ssize_t places[kArity + 1];
    const bool placed = Place(args, nargs, keywords, ordered, count, places, [&](auto put) {
      for (Py_ssize_t k = 0; k < keywords; ++k) {
        if (!put(PyTuple_GET_ITEM(kwnames, k), args[nargs + k])) return false;
      }
      return true;
    });
    if (!placed) return nullptr;
    Py_INCREF(kwnames);
    Py_XDECREF(last_kwnames_);  // the previous site's (kept alive so its address is not reused)
    last_kwnames_ = kwnames;
    last_nargs_ = nargs;
    std::copy(places, places + keywords, last_places_);
    return ordered;
  }
  // As InOrder, the keywords a dict (a type's tp_new; may be null).
  PyObject* const* InOrderDict(PyObject* const* args, Py_ssize_t nargs, PyObject* kwargs,
                               PyObject** ordered, Py_ssize_t& count) const {
    count = nargs;
    if (kwargs == nullptr || PyDict_GET_SIZE(kwargs) == 0) return args;
    Py_ssize_t places[kArity + 1];
    const bool placed = Place(args, nargs, PyDict_GET_SIZE(kwargs), ordered, count, places, [&](auto put) {
      Py_ssize_t position = 0;
      PyObject* key;
      PyObject* value;
      while (PyDict_Next(kwargs, &position, &key, &value)) {
        if (!put(key, value)) return false;
      }
      return true;
    });
    return placed ? ordered : nullptr;
  }

  // Converts the `nargs` arguments and calls the form, `self` its instance (methods).
  // `taken` false: an argument was not converted (no exception set): the codec path
  // answers. Otherwise the result (null with an exception set on failure); a
  // constructor's instance goes to `made` (the result is None).
  PyObject* Call(void* self, PyObject* const* args, Py_ssize_t nargs, bool& taken,
                 std::shared_ptr<void>* made = nullptr) {
    if constexpr (!kDirect) {
      taken = false;
      return nullptr;
    } else {
      return CallForm(self, args, nargs, taken, made, std::make_index_sequence<kArity + 1>{});
    }
  }

 private:
  struct Form {
    TypedThunk thunk = nullptr;
    void* state = nullptr;
  };

  // InOrder's work: `each_keyword(put)` calls put(name, value) for each keyword; the k-th
  // keyword's place goes to places[k].
  template <class EachKeyword>
  bool Place(PyObject* const* args, Py_ssize_t nargs, Py_ssize_t keywords, PyObject** ordered,
             Py_ssize_t& count, Py_ssize_t* places, EachKeyword each_keyword) const {
    if (nargs < 0 || nargs + keywords > static_cast<Py_ssize_t>(kArity)) return false;
    for (Py_ssize_t i = 0; i < static_cast<Py_ssize_t>(kArity); ++i) ordered[i] = i < nargs ? args[i] : nullptr;
    count = nargs;
    Py_ssize_t placed_count = 0;
    const bool placed = each_keyword([&](PyObject* name, PyObject* value) {
      const Py_ssize_t at = ParamIndex(name);
      if (at < 0 || ordered[at] != nullptr) return false;
      ordered[at] = value;
      places[placed_count++] = at;
      if (at + 1 > count) count = at + 1;
      return true;
    });
    return placed && count == nargs + keywords;  // no gap
  }

  // The place of the parameter named `keyword` (a str), or -1.
  Py_ssize_t ParamIndex(PyObject* keyword) const {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_Check(keyword) ? PyUnicode_AsUTF8AndSize(keyword, &size) : nullptr;
    if (text == nullptr) {
      PyErr_Clear();
      return -1;
    }
    const std::string_view wanted(text, static_cast<std::size_t>(size));
    std::string_view names(params_);
    for (Py_ssize_t index = 0; !names.empty(); ++index) {
      const std::size_t space = names.find(' ');
      if (names.substr(0, space) == wanted) return index;
      if (space == std::string_view::npos) break;
      names.remove_prefix(space + 1);
    }
    return -1;
  }

  template <std::size_t... K>
  void BindForms(std::index_sequence<K...>) {
    (BindForm<K>(), ...);
  }

  template <std::size_t K>
  void BindForm() {
    using FormParams = typename detail::Prefix<Params, K>::type;
    const char* signature = [] {
      return []<class... F>(std::tuple<F...>*) {
        return goray::detail::TypedSignature<Result, F...>();
      }(static_cast<FormParams*>(nullptr));
    }();
    const TypedEntry* entry = FindEntry(kKind, type_, name_, K, signature);
    if (entry != nullptr) forms_[K] = Form{entry->thunk, entry->state.get()};
  }

  template <std::size_t... K>
  PyObject* CallForm(void* self, PyObject* const* args, Py_ssize_t nargs, bool& taken,
                     std::shared_ptr<void>* made, std::index_sequence<K...>) {
    PyObject* result = nullptr;
    taken = false;
    (void)((static_cast<Py_ssize_t>(K) == nargs
                ? (result = CallWith<K>(self, args, taken, made), true)
                : false) ||
           ...);
    return result;
  }

  template <std::size_t K>
  PyObject* CallWith(void* self, PyObject* const* args, bool& taken, std::shared_ptr<void>* made) {
    using FormParams = typename detail::Prefix<Params, K>::type;
    detail::Arguments<FormParams> arguments;
    if (!arguments.Take(args)) return nullptr;  // not taken: the codec path
    taken = true;
    void* pointers[K + 1];
    arguments.Pointers(pointers);
    detail::ResultSlot<Result> result;
    TypedFailure failure;
    const Form& form = forms_[K];
    bool ok;
    if (keeps_gil_) {
      ok = form.thunk(form.state, self, pointers, result.bytes, &failure);
    } else {
      Py_BEGIN_ALLOW_THREADS
      ok = form.thunk(form.state, self, pointers, result.bytes, &failure);
      Py_END_ALLOW_THREADS
    }
    if (!ok) return RaiseFailure(failure, callee_);
    if constexpr (kKind == TypedKind::kConstructor) {
      *made = std::move(result.get());
      result.get().~shared_ptr();
      return Py_NewRef(Py_None);
    } else if constexpr (std::is_void_v<R>) {
      return Py_NewRef(Py_None);
    } else {
      PyObject* value = detail::ResultToPython<R>(result.get());
      result.get().~TypedStorage<R>();
      if (detail::TakeNotUtf8() && value != nullptr) return RaiseNotUtf8(value);
      if (value == nullptr || converter_ == nullptr) return value;
      PyObject* converted = PyObject_CallOneArg(converter_, value);
      Py_DECREF(value);
      return converted;
    }
  }

  // The result holds a std::string that is not UTF-8 (converted with surrogateescape):
  // goray's helper raises the error naming where.
  PyObject* RaiseNotUtf8(PyObject* value) {
    constexpr bool kSeveral = [] {
      if constexpr (goray::detail::IsTuple<TypedStorage<R>>::value) {
        return std::tuple_size_v<TypedStorage<R>> > 1;
      } else {
        return false;
      }
    }();
    PyObject* raised = PyObject_CallFunction(TheGoray().not_utf8, "sOi", callee_, value, kSeveral ? 1 : 0);
    Py_DECREF(value);
    Py_XDECREF(raised);  // (it raises: null)
    return nullptr;
  }

  const char* type_;
  const char* name_;
  const char* callee_;
  bool keeps_gil_;
  const char* params_;
  PyObject* last_kwnames_ = nullptr;  // the last call site's keywords, and their places
  Py_ssize_t last_nargs_ = -1;
  Py_ssize_t last_places_[kArity + 1] = {};
  bool ready_ = false;
  Form forms_[kArity + 1];
  PyObject* converter_ = nullptr;
};

// A callable the module does not call typed (a generator; a type the generated header
// cannot name): every call takes the codec path.
template <TypedKind kKind>
class Untyped {
 public:
  static constexpr std::size_t kArity = 0;
  constexpr Untyped(const char* type, const char* name, const char* callee, bool, const char* = "")
      : type_(type), name_(name), callee_(callee) {}
  const char* type() const noexcept { return type_; }
  const char* name() const noexcept { return name_; }
  const char* callee() const noexcept { return callee_; }
  bool Ready() { return EnsureBound(); }
  bool Direct(Py_ssize_t) const noexcept { return false; }
  // Every call takes the codec path: nothing to put in order.
  PyObject* const* InOrder(PyObject* const*, Py_ssize_t, PyObject*, PyObject**, Py_ssize_t&) const {
    return nullptr;
  }
  PyObject* const* InOrderDict(PyObject* const*, Py_ssize_t, PyObject*, PyObject**, Py_ssize_t&) const {
    return nullptr;
  }
  PyObject* Call(void*, PyObject* const*, Py_ssize_t, bool& taken, std::shared_ptr<void>* = nullptr) {
    taken = false;
    return nullptr;
  }

 private:
  const char* type_;
  const char* name_;
  const char* callee_;
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
  PyObject* ordered[std::remove_cvref_t<decltype(kTask)>::kArity + 1];
  Py_ssize_t count;
  PyObject* const* in_order = kTask.InOrder(args, nargs, kwnames, ordered, count);
  if (in_order != nullptr && kTask.Direct(count)) {
    bool taken;
    PyObject* result = kTask.Call(nullptr, in_order, count, taken);
    if (taken) {
      ++TheGoray().typed_calls;
      return result;
    }
  }
  ++TheGoray().codec_calls;
  PyObject* name = PyUnicode_FromString(kTask.name());
  if (name == nullptr) return nullptr;
  PyObject* result = CallPrefixed(TheGoray().run_task, name, nullptr, args, nargs, kwnames);
  Py_DECREF(name);
  return result;
}

}  // namespace goray::python

#include "goray/python/entries_impl.h"
#include "goray/python/local_actor.h"
