// The non-template parts of the typed entries (entries.h, convert.h), inline: an entries
// module is one translation unit, and it links nothing of the runtime.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace goray::python {

namespace detail {

// The table GorayTypedEntries answered for the loaded library (goray._ffi reads it as it
// loads one), or null; loads the library from GORAY_BIN_PATH when none is loaded yet.
inline bool LoadedTable(const TypedEntries*& table) {
  PyObject* ffi = PyImport_ImportModule("goray._ffi");
  if (ffi == nullptr) return false;
  PyObject* library = PyObject_GetAttrString(ffi, "_library");
  if (library == Py_None) {
    Py_DECREF(library);
    library = PyObject_CallMethod(ffi, "get_library", nullptr);  // Python's one run here
  }
  Py_DECREF(ffi);
  if (library == nullptr) return false;
  PyObject* address_object = PyObject_GetAttrString(library, "typed_entries");
  Py_DECREF(library);
  if (address_object == nullptr) return false;
  const unsigned long long address = PyLong_AsUnsignedLongLong(address_object);
  Py_DECREF(address_object);
  if (PyErr_Occurred()) return false;
  if (address != 0) {
    auto entries = reinterpret_cast<const void* (*)(unsigned long long)>(static_cast<std::uintptr_t>(address));
    table = static_cast<const TypedEntries*>(entries(goray::detail::kTypedEntriesAbi));
  }
  return true;
}

}  // namespace detail

inline bool EnsureBound() {
  Goray& goray = TheGoray();
  if (goray.bound) return true;
  // What the module uses of goray's Python modules: an attribute missing is a goray the
  // module was not built with.
  const struct {
    const char* module;
    const char* name;
    PyObject** out;
  } needed[] = {
      {"goray.errors", "error_from_reply", &goray.error_from_reply},
      {"goray.errors", "ArgumentError", &goray.argument_error},
      {"goray.errors", "GorayError", &goray.goray_error},
      {"goray.errors", "UnknownNameError", &goray.unknown_name},
      {"goray._not_utf8", "raise_in_value", &goray.not_utf8},
      {"goray._enums", "_classes", &goray.enum_classes},
      {"goray._enums", "member", &goray.enum_member},
      {"goray._fastpath", "pack", &goray.fast_pack},
      {"goray._fastpath", "unpack_values", &goray.unpack_values},
      {"goray._codec", "pack_argument", &goray.pack_argument},
      {"goray._entries", "packed_result", &goray.packed_result},
      {"goray._entries", "result_converter", &goray.result_converter},
  };
  const TypedEntries* table = nullptr;
  if (!detail::LoadedTable(table)) return false;
  for (const auto& need : needed) {
    if (detail::TakeAttribute(need.module, need.name, *need.out)) continue;
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
      PyErr_Format(PyExc_ImportError,
                   "the typed entries module of application '%s' was built with another goray (%s.%s "
                   "is missing here): rebuild the application with this goray",
                   goray.app_name, need.module, need.name);
    }
    return false;
  }
  // Another application's library, one built from another IDL, or one whose registration
  // failed: the module's calls would not be the library's.
  if (table == nullptr || table->app_name != goray.app_name || table->signatures != goray.signatures) {
    PyErr_Format(goray.goray_error,
                 "the loaded library is not the build of application '%s' that this typed entries module "
                 "was made with (%s): rebuild them together (goray_add_app), or call its tasks by name "
                 "(goray.golang_local_run_task)",
                 goray.app_name,
                 table == nullptr ? "it has no typed entries of this goray"
                 : table->app_name != goray.app_name ? "it is another application's"
                                                     : "its tasks' signatures differ");
    return false;
  }
  if (!table->registration_error.empty()) {
    PyErr_Format(goray.goray_error, "application '%s' failed to register: %s", goray.app_name,
                 table->registration_error.c_str());
    return false;
  }
  goray.table = table;
  goray.bound = true;
  return true;
}

inline const TypedEntry* FindEntry(TypedKind kind, std::string_view type, std::string_view name,
                                   std::size_t arity) {
  for (const TypedEntry& entry : TheGoray().table->entries) {
    if (entry.kind == kind && entry.arity == arity && entry.name == name && entry.type == type) return &entry;
  }
  return nullptr;
}

inline PyObject* RaiseFailure(const TypedFailure& failure, const char* callee) {
  PyObject* error = PyObject_CallFunction(TheGoray().error_from_reply, "Ly#s", failure.code,
                                          failure.payload.data(),
                                          static_cast<Py_ssize_t>(failure.payload.size()), callee);
  if (error != nullptr) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error)), error);
    Py_DECREF(error);
  }
  return nullptr;
}

namespace detail {

inline PyObject* PackArgument(PyObject* value, const char* callee, std::size_t position, std::string_view& packed) {
  ++TheGoray().packed_arguments;
  // Arrays by address, as the codec path sends them in-process: the caller holds `value`
  // until the call returns.
  PyObject* owner = PyObject_CallFunctionObjArgs(TheGoray().fast_pack, value, Py_True, nullptr);
  if (owner == Py_None) {
    Py_DECREF(owner);  // what goray._fastpath leaves (refs, datetimes, subclasses): goray._codec
    owner = PyObject_CallFunction(TheGoray().pack_argument, "snO", callee, static_cast<Py_ssize_t>(position), value);
  }
  if (owner == nullptr) return nullptr;
  PyObject* bytes = PyTuple_Check(owner) ? PyTuple_GET_ITEM(owner, 0) : owner;  // (bytes, copies kept)
  if (!PyBytes_Check(bytes)) {
    Py_DECREF(owner);
    PyErr_SetString(PyExc_TypeError, "goray: packing an argument gave no bytes");
    return nullptr;
  }
  packed = std::string_view(PyBytes_AS_STRING(bytes), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
  return owner;
}

// What makes the enums of callee (type, name)'s results members (None: it has none), asked
// of goray once per callee; borrowed, null with an exception set. Keyed by the callee's own
// strings (the generated tables' literals: the same pointers on every call, no key built).
inline PyObject* ResultConverter(const char* type, const char* name) {
  static std::map<std::pair<const char*, const char*>, PyObject*> known;  // (kept for the process)
  auto found = known.find({type, name});
  if (found != known.end()) return found->second;
  PyObject* converter = PyObject_CallFunction(TheGoray().result_converter, "ss", type, name);
  if (converter != nullptr) known.emplace(std::make_pair(type, name), converter);
  return converter;
}

inline PyObject* PackedResultToPython(const std::string& block, const char* type, const char* name) {
  PyObject* converter = ResultConverter(type, name);
  if (converter == nullptr) return nullptr;
  PyObject* view = PyMemoryView_FromMemory(const_cast<char*>(block.data()), static_cast<Py_ssize_t>(block.size()),
                                           PyBUF_READ);
  PyObject* values = view != nullptr ? PyObject_CallOneArg(TheGoray().unpack_values, view) : nullptr;
  Py_XDECREF(view);
  if (values == Py_None) {  // what goray._fastpath leaves
    Py_DECREF(values);
    return PyObject_CallFunction(TheGoray().packed_result, "ssy#", type, name, block.data(),
                                 static_cast<Py_ssize_t>(block.size()));
  }
  if (values == nullptr) return nullptr;
  PyObject* result;  // as the codec path gives a return block: None, the value, a list
  const Py_ssize_t count = PyList_GET_SIZE(values);
  if (count == 0) {
    result = Py_NewRef(Py_None);
  } else if (count == 1) {
    result = Py_NewRef(PyList_GET_ITEM(values, 0));
  } else {
    result = Py_NewRef(values);
  }
  Py_DECREF(values);
  if (converter == Py_None) return result;
  PyObject* converted = PyObject_CallOneArg(converter, result);
  Py_DECREF(result);
  return converted;
}

}  // namespace detail

// ---- streams -------------------------------------------------------------------------------

namespace detail {

inline void CloseStream(StreamObject* self) noexcept {
  if (self->stream == nullptr) return;
  void* stream = std::exchange(self->stream, nullptr);
  self->destroy(stream);  // the generator's frame first, then the values it referred to
}

inline PyObject* StreamNext(PyObject* self) {
  auto* stream = reinterpret_cast<StreamObject*>(self);
  if (stream->running) {
    PyErr_SetString(PyExc_ValueError, "generator already executing");
    return nullptr;
  }
  return stream->stream == nullptr ? nullptr : stream->next(stream);
}

inline PyObject* StreamClose(PyObject* self, PyObject*) {
  auto* stream = reinterpret_cast<StreamObject*>(self);
  if (stream->running) {
    PyErr_SetString(PyExc_ValueError, "generator already executing");
    return nullptr;
  }
  CloseStream(stream);
  Py_RETURN_NONE;
}

inline PyObject* StreamEnter(PyObject* self, PyObject*) { return Py_NewRef(self); }
inline PyObject* StreamExit(PyObject* self, PyObject* const*, Py_ssize_t) { return StreamClose(self, nullptr); }
inline PyObject* StreamClosed(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<StreamObject*>(self)->stream == nullptr);
}

inline void StreamDealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  CloseStream(reinterpret_cast<StreamObject*>(self));
  PyObject_Free(self);
  Py_DECREF(type);
}

inline PyTypeObject* StreamType() {
  static PyTypeObject* const type = [] {
    static PyMethodDef methods[] = {
        {"close", &StreamClose, METH_NOARGS, "close($self, /)\n--\n\nStops the generator (once)."},
        {"__enter__", &StreamEnter, METH_NOARGS, nullptr},
        {"__exit__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&StreamExit)), METH_FASTCALL,
         nullptr},
        {nullptr, nullptr, 0, nullptr},
    };
    static PyGetSetDef getset[] = {
        {"closed", &StreamClosed, nullptr, "Whether the stream ended or was closed.", nullptr},
        {nullptr, nullptr, nullptr, nullptr, nullptr},
    };
    static PyType_Slot slots[] = {
        {Py_tp_iter, reinterpret_cast<void*>(&PyObject_SelfIter)},
        {Py_tp_iternext, reinterpret_cast<void*>(&StreamNext)},
        {Py_tp_dealloc, reinterpret_cast<void*>(&StreamDealloc)},
        {Py_tp_methods, methods},
        {Py_tp_getset, getset},
        {Py_tp_doc, const_cast<char*>("The items of a native generator's call in this process, one per next().")},
        {0, nullptr},
    };
    static PyType_Spec spec = {"goray.LocalStream", static_cast<int>(sizeof(StreamObject)), 0, Py_TPFLAGS_DEFAULT,
                               slots};
    return reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
  }();
  return type;
}

}  // namespace detail

// ---- Signature -----------------------------------------------------------------------------

inline bool Signature::Prepare() {
  if (prepared_) return true;
  for (const Param& param : params_) {
    PyObject* name = PyUnicode_InternFromString(param.name);
    PyObject* value = nullptr;
    switch (param.kind) {
      case Param::Kind::kBool: value = PyBool_FromLong(static_cast<long>(param.integer)); break;
      case Param::Kind::kInt: value = PyLong_FromLongLong(param.integer); break;
      case Param::Kind::kUint: value = PyLong_FromUnsignedLongLong(param.big); break;
      case Param::Kind::kFloat: value = PyFloat_FromDouble(param.real); break;
      case Param::Kind::kStr: value = PyUnicode_FromString(param.text); break;
      default: break;
    }
    if (name == nullptr || (value == nullptr && PyErr_Occurred())) {
      Py_XDECREF(name);
      return false;
    }
    names_.push_back(name);
    defaults_.push_back(value);
  }
  prepared_ = true;
  return true;
}

inline Py_ssize_t Signature::IndexOf(PyObject* keyword) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == keyword) return static_cast<Py_ssize_t>(i);
  }
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (PyUnicode_Compare(names_[i], keyword) == 0) return static_cast<Py_ssize_t>(i);
  }
  PyErr_Clear();
  return -1;
}

inline PyObject* Signature::Shown(const char* callee) const {
  PyObject* text = PyUnicode_FromFormat("%s(", callee);
  for (std::size_t i = 0; text != nullptr && i < params_.size(); ++i) {
    PyObject* part;
    if (params_[i].kind == Param::Kind::kRequired) {
      part = PyUnicode_FromFormat("%s%U", i ? ", " : "", names_[i]);
    } else if (defaults_[i] == nullptr) {
      part = PyUnicode_FromFormat("%s%U=<C++ default>", i ? ", " : "", names_[i]);
    } else {
      part = PyUnicode_FromFormat("%s%U=%R", i ? ", " : "", names_[i], defaults_[i]);
    }
    PyObject* joined = part != nullptr ? PyUnicode_Concat(text, part) : nullptr;
    Py_XDECREF(part);
    Py_SETREF(text, joined);
  }
  if (text == nullptr) return nullptr;
  PyObject* closed = PyUnicode_FromFormat("%U)", text);
  Py_DECREF(text);
  return closed;
}

inline PyObject* Signature::Raise(const char* callee, Py_ssize_t position, const char* expected,
                                  PyObject* received, PyObject* message) const {
  if (received != nullptr && message != nullptr) {
    PyObject* where = position < 0 ? Py_NewRef(Py_None) : PyLong_FromSsize_t(position);
    PyObject* args = where != nullptr ? Py_BuildValue("(sNsO)", callee, where, expected, received) : nullptr;
    PyObject* kwargs = args != nullptr ? Py_BuildValue("{sO}", "message", message) : nullptr;
    PyObject* error = kwargs != nullptr ? PyObject_Call(TheGoray().argument_error, args, kwargs) : nullptr;
    if (error != nullptr) PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error)), error);
    Py_XDECREF(error);
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
  }
  Py_XDECREF(received);
  Py_XDECREF(message);
  return nullptr;
}

inline Py_ssize_t Signature::Refuse(const char* callee, Py_ssize_t position, const char* expected,
                                    PyObject* received, const char* format, ...) const {
  va_list values;
  va_start(values, format);
  PyObject* text = PyUnicode_FromFormatV(format, values);
  va_end(values);
  PyObject* shown = text != nullptr ? Shown(callee) : nullptr;
  PyObject* message = shown != nullptr ? PyUnicode_FromFormat("%U; the parameters: %U", text, shown) : nullptr;
  Py_XDECREF(text);
  Py_XDECREF(shown);
  Raise(callee, position, expected, received, message);
  return -1;
}

inline Py_ssize_t Signature::Place(const char* callee, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                                   PyObject** out) {
  const auto size = static_cast<Py_ssize_t>(params_.size());
  const Py_ssize_t keywords = PyTuple_GET_SIZE(kwnames);
  if (kwnames == site_kwnames_ && nargs == site_nargs_) {  // the last call site's again
    for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
    for (Py_ssize_t k = 0; k < keywords; ++k) out[site_places_[static_cast<std::size_t>(k)]] = args[nargs + k];
    for (Py_ssize_t index : site_defaults_) out[index] = defaults_[static_cast<std::size_t>(index)];
    return site_count_;
  }
  Py_CLEAR(site_kwnames_);  // (kept again below once this site's places are all found)
  site_places_.clear();
  site_defaults_.clear();
  if (nargs > size) {
    PyObject* shown = Shown(callee);
    PyObject* names = PyList_New(0);
    for (Py_ssize_t k = 0; names != nullptr && k < keywords; ++k) {
      PyObject* shown_name = PyObject_Repr(PyTuple_GET_ITEM(kwnames, k));
      if (shown_name == nullptr || PyList_Append(names, shown_name) != 0) Py_CLEAR(names);
      Py_XDECREF(shown_name);
    }
    PyObject* separator = PyUnicode_FromString(", ");
    PyObject* joined = names != nullptr && separator != nullptr ? PyUnicode_Join(separator, names) : nullptr;
    Py_XDECREF(separator);
    Py_XDECREF(names);
    PyObject* message = shown != nullptr && joined != nullptr
                            ? PyUnicode_FromFormat("%U takes at most %zd arguments, received %zd by position and %U by keyword",
                                                   shown, size, nargs, joined)
                            : nullptr;
    Py_XDECREF(shown);
    Py_XDECREF(joined);
    PyObject* expected = PyUnicode_FromFormat("at most %zd arguments", size);
    const char* expected_text = expected != nullptr ? PyUnicode_AsUTF8(expected) : nullptr;
    Raise(callee, -1, expected_text != nullptr ? expected_text : "",
          PyUnicode_FromFormat("%zd positional and %zd keyword", nargs, keywords), message);
    Py_XDECREF(expected);
    return -1;
  }
  for (Py_ssize_t i = 0; i < size; ++i) out[i] = nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
  Py_ssize_t last = nargs - 1;
  for (Py_ssize_t k = 0; k < keywords; ++k) {
    PyObject* keyword = PyTuple_GET_ITEM(kwnames, k);
    const Py_ssize_t index = IndexOf(keyword);
    if (index < 0) {
      return Refuse(callee, -1, "a parameter's name", PyObject_Repr(keyword), "unknown keyword argument %R",
                    keyword);
    }
    for (Py_ssize_t other = index + 1; other < size; ++other) {
      if (std::strcmp(params_[other].name, params_[index].name) == 0) {  // ("arg1": unnamed, and named so)
        return Refuse(callee, -1, "a name one parameter has", PyObject_Repr(keyword),
                      "keyword argument %R names more than one parameter: pass it by position", keyword);
      }
    }
    if (index < nargs) {
      return Refuse(callee, index, "one value", PyUnicode_FromString("two"),
                    "argument %R (position %zd) given by position and by keyword", keyword, index);
    }
    out[index] = args[nargs + k];
    site_places_.push_back(index);
    if (index > last) last = index;
  }
  for (Py_ssize_t index = nargs; index < size; ++index) {
    if (out[index] != nullptr || (index > last && params_[index].kind != Param::Kind::kRequired)) continue;
    if (params_[index].kind == Param::Kind::kRequired) {
      return Refuse(callee, index, "a value", PyUnicode_FromString("none"), "missing argument %R (position %zd)",
                    names_[index], index);
    }
    if (defaults_[index] == nullptr) {
      Py_ssize_t later = index + 1;
      while (out[later] == nullptr) ++later;
      return Refuse(callee, index, "a value", PyUnicode_FromString("none"),
                    "argument %R (position %zd) has a C++ default that is not a constant, so it cannot be left "
                    "out to give %R by keyword: pass %R too",
                    names_[index], index, names_[later], names_[index]);
    }
    out[index] = defaults_[index];
    site_defaults_.push_back(index);
  }
  site_kwnames_ = Py_NewRef(kwnames);
  site_nargs_ = nargs;
  site_count_ = last + 1;
  return last + 1;
}

namespace detail {

// Set by StrFromUtf8 when a string of the result being converted was not UTF-8.
inline thread_local bool t_not_utf8 = false;

inline bool TakeNotUtf8() noexcept {
  const bool was = t_not_utf8;
  t_not_utf8 = false;
  return was;
}

inline PyObject* RaiseNotUtf8(PyObject* value, const char* callee, bool several) {
  PyObject* raised = PyObject_CallFunction(TheGoray().not_utf8, "sOi", callee, value, several ? 1 : 0);
  Py_DECREF(value);
  Py_XDECREF(raised);  // (it raises: null)
  return nullptr;
}

inline PyObject* EnumMember(PyObject* key, const char* cpp_name, PyObject* number) {
  if (number == nullptr || key == nullptr) return number;
  PyObject* cls = PyDict_GetItemWithError(TheGoray().enum_classes, key);  // borrowed
  PyObject* member = nullptr;
  if (cls != nullptr) {
    PyObject* members = PyObject_GetAttrString(cls, "_value2member_map_");
    PyObject* found = members != nullptr ? PyDict_GetItemWithError(members, number) : nullptr;
    Py_XDECREF(members);
    // (A value without an enumerator: the class makes a member named by its number.)
    member = found != nullptr ? Py_NewRef(found) : PyErr_Occurred() ? nullptr : PyObject_CallOneArg(cls, number);
  } else if (!PyErr_Occurred()) {
    // No generated module registered the class here: goray._enums' EnumValue.
    member = PyObject_CallFunction(TheGoray().enum_member, "sO", cpp_name, number);
  }
  Py_DECREF(number);
  return member;
}

inline PyObject* StrFromUtf8(const char* data, std::size_t size) {
  PyObject* text = PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(size), nullptr);
  if (text != nullptr || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return text;
  // Bytes that are not UTF-8: kept as lone surrogates, so that the whole result converts
  // and goray's helper can say where the string is (Callable::RaiseNotUtf8).
  PyErr_Clear();
  t_not_utf8 = true;
  return PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(size), "surrogateescape");
}

inline bool FormatIs(const char* format, char kind, std::size_t itemsize) noexcept {
  if (format == nullptr) format = "B";
  if (*format == '@' || *format == '=' || *format == '<') ++format;
  if (*format == 'Z') {  // complex
    return kind == 'c' && ((format[1] == 'f' && itemsize == 8) || (format[1] == 'd' && itemsize == 16)) &&
           format[2] == '\0';
  }
  if (format[0] == '\0' || format[1] != '\0') return false;
  switch (format[0]) {
    case '?': return kind == 'b' && itemsize == 1;
    case 'b': case 'h': case 'i': case 'l': case 'q': case 'n': return kind == 'i';
    case 'B': case 'H': case 'I': case 'L': case 'Q': case 'N': return kind == 'u';
    case 'f': return kind == 'f' && itemsize == 4;
    case 'd': return kind == 'f' && itemsize == 8;
    default: return false;
  }
}

inline PyObject* NumpyScalarItem(PyObject* object) {
  static PyObject* generic = nullptr;  // numpy.generic, kept once NumPy is imported
  if (generic == nullptr) {
    PyObject* numpy = PyDict_GetItemString(PyImport_GetModuleDict(), "numpy");  // borrowed
    if (numpy == nullptr) return nullptr;  // (not imported: no value is its scalar)
    generic = PyObject_GetAttrString(numpy, "generic");
    if (generic == nullptr) return PyErr_Clear(), nullptr;
  }
  const int scalar = PyObject_IsInstance(object, generic);
  if (scalar <= 0) return scalar < 0 ? (PyErr_Clear(), nullptr) : nullptr;
  PyObject* dtype = PyObject_GetAttrString(object, "dtype");
  PyObject* kind = dtype != nullptr ? PyObject_GetAttrString(dtype, "kind") : nullptr;
  Py_XDECREF(dtype);
  const char* text = kind != nullptr && PyUnicode_Check(kind) ? PyUnicode_AsUTF8(kind) : nullptr;
  const bool plain = text != nullptr && text[0] != 0 && text[1] == 0 && std::strchr("biuf", text[0]) != nullptr;
  Py_XDECREF(kind);
  PyObject* item = plain ? PyObject_CallMethod(object, "item", nullptr) : nullptr;
  if (item == nullptr) PyErr_Clear();
  return item;
}

// The arrays the codec path takes by address: a numpy.ndarray (not a subclass), an
// array.array, a memoryview of a numeric format; bytes only where a bin is taken too.
inline bool IsArrayObject(PyObject* object, bool bytes_too) {
  static PyTypeObject* ndarray = nullptr;
  static PyTypeObject* array_array = nullptr;
  PyTypeObject* type = Py_TYPE(object);
  if (type == ndarray || type == array_array || type == &PyMemoryView_Type) return true;
  if (bytes_too && type == &PyBytes_Type) return true;
  const char* name = type->tp_name;
  if (ndarray == nullptr && std::strcmp(name, "numpy.ndarray") == 0) {
    ndarray = type;
    return true;
  }
  if (array_array == nullptr && std::strcmp(name, "array.array") == 0) {
    array_array = type;
    return true;
  }
  return false;
}

template <class T, class Make>
bool CopyStrided(PyObject* object, Make&& make) {
  Py_buffer view;
  if (PyObject_GetBuffer(object, &view, PyBUF_STRIDES | PyBUF_FORMAT) != 0) return PyErr_Clear(), false;
  const bool fits = static_cast<std::size_t>(view.itemsize) == sizeof(T) &&
                    FormatIs(view.format, DtypeKind<T>(), sizeof(T)) &&
                    static_cast<std::size_t>(view.ndim) <= goray::detail::kMaxArrayDims;
  T* out = fits ? make(std::vector<std::int64_t>(view.shape, view.shape + view.ndim)) : nullptr;
  if (out != nullptr) {
    const auto count = static_cast<std::size_t>(view.len / view.itemsize);
    // C order: the last index fastest; each element read at its strides' offset.
    std::vector<Py_ssize_t> index(static_cast<std::size_t>(view.ndim), 0);
    for (std::size_t i = 0; i < count; ++i) {
      const char* at = static_cast<const char*>(view.buf);
      for (int d = 0; d < view.ndim; ++d) at += index[static_cast<std::size_t>(d)] * view.strides[d];
      std::memcpy(out + i, at, sizeof(T));
      for (int d = view.ndim - 1; d >= 0 && ++index[static_cast<std::size_t>(d)] == view.shape[d]; --d) {
        index[static_cast<std::size_t>(d)] = 0;
      }
    }
  }
  PyBuffer_Release(&view);
  return out != nullptr;
}

inline bool HeldBuffer::Take(PyObject* object, char kind, std::size_t itemsize) {
  if (PyObject_GetBuffer(object, &view_, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) {
    PyErr_Clear();
    return false;
  }
  held_ = true;
  const bool fits = static_cast<std::size_t>(view_.itemsize) == itemsize &&
                    FormatIs(view_.format, kind, itemsize) && view_.ndim <= 32 &&
                    reinterpret_cast<std::uintptr_t>(view_.buf) % itemsize == 0 &&
                    !(Py_TYPE(object) == &PyMemoryView_Type && view_.ndim != 1);
  if (!fits) {
    PyBuffer_Release(&view_);
    held_ = false;
  }
  return fits;
}

inline PyObject* ArrowArrayOf(ArrowSchema& schema, ArrowArray& array) {
  // Capsules owning moved copies of the structs: released by their destructor unless
  // pyarrow moved them on.
  auto* schema_copy = new ArrowSchema(schema);
  auto* array_copy = new ArrowArray(array);
  schema.release = nullptr;
  array.release = nullptr;
  PyObject* schema_capsule = PyCapsule_New(schema_copy, "arrow_schema", [](PyObject* self) {
    auto* owned = static_cast<ArrowSchema*>(PyCapsule_GetPointer(self, "arrow_schema"));
    if (owned->release != nullptr) owned->release(owned);
    delete owned;
  });
  PyObject* array_capsule = PyCapsule_New(array_copy, "arrow_array", [](PyObject* self) {
    auto* owned = static_cast<ArrowArray*>(PyCapsule_GetPointer(self, "arrow_array"));
    if (owned->release != nullptr) owned->release(owned);
    delete owned;
  });
  if (schema_capsule == nullptr || array_capsule == nullptr) {
    if (schema_capsule == nullptr) {
      schema_copy->release(schema_copy);
      delete schema_copy;
    }
    if (array_capsule == nullptr) {
      array_copy->release(array_copy);
      delete array_copy;
    }
    Py_XDECREF(schema_capsule);
    Py_XDECREF(array_capsule);
    return nullptr;
  }
  static PyObject* const import = [] {  // pyarrow's (Cython): no Python runs
    PyObject* pyarrow = PyImport_ImportModule("pyarrow");
    PyObject* array_type = pyarrow != nullptr ? PyObject_GetAttrString(pyarrow, "Array") : nullptr;
    PyObject* function = array_type != nullptr ? PyObject_GetAttrString(array_type, "_import_from_c_capsule") : nullptr;
    Py_XDECREF(array_type);
    Py_XDECREF(pyarrow);
    return function;
  }();
  PyObject* result = import != nullptr ? PyObject_CallFunctionObjArgs(import, schema_capsule, array_capsule, nullptr)
                                       : nullptr;
  Py_DECREF(schema_capsule);
  Py_DECREF(array_capsule);
  return result;
}

// The buffer an adopted array exports: the C++ array's storage, kept by its owner.
struct ArrayOwnerObject {
  PyObject_HEAD
  std::shared_ptr<void> owner;
  void* data;
  Py_ssize_t itemsize;
  int ndim;
  Py_ssize_t shape[32];
  Py_ssize_t strides[32];
  char format[3];
};

inline int ArrayOwnerBuffer(PyObject* self, Py_buffer* view, int flags) {
  auto* array = reinterpret_cast<ArrayOwnerObject*>(self);
  Py_ssize_t count = 1;
  for (int i = 0; i < array->ndim; ++i) count *= array->shape[i];
  // (C-contiguous: a consumer may leave out the strides, or the shape too.)
  *view = Py_buffer{array->data, Py_NewRef(self), count * array->itemsize, array->itemsize, 0, array->ndim,
                    (flags & PyBUF_FORMAT) ? array->format : nullptr,
                    (flags & PyBUF_ND) == PyBUF_ND ? array->shape : nullptr,
                    (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? array->strides : nullptr, nullptr, nullptr};
  return 0;
}

inline void ArrayOwnerDealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  reinterpret_cast<ArrayOwnerObject*>(self)->owner.~shared_ptr();
  PyObject_Free(self);
  Py_DECREF(type);
}

inline PyObject* AdoptArray(std::shared_ptr<void> owner, const void* data, char kind, std::size_t itemsize,
                            const std::vector<std::int64_t>& shape) {
  static PyObject* const asarray = [] {  // numpy's (C): no Python runs
    PyObject* numpy = PyImport_ImportModule("numpy");
    PyObject* function = numpy != nullptr ? PyObject_GetAttrString(numpy, "asarray") : nullptr;
    Py_XDECREF(numpy);
    return function;
  }();
  static PyTypeObject* const type = [] {
    static PyBufferProcs buffer = {&ArrayOwnerBuffer, nullptr};
    static PyType_Slot slots[] = {{Py_bf_getbuffer, reinterpret_cast<void*>(buffer.bf_getbuffer)},
                                  {Py_tp_dealloc, reinterpret_cast<void*>(&ArrayOwnerDealloc)},
                                  {0, nullptr}};
    static PyType_Spec spec = {"goray.ArrayOwner", static_cast<int>(sizeof(ArrayOwnerObject)), 0, Py_TPFLAGS_DEFAULT,
                               slots};
    return reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
  }();
  if (asarray == nullptr || type == nullptr || shape.size() > 32) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "goray: cannot adopt a C++ array here");
    return nullptr;
  }
  auto* made = PyObject_New(ArrayOwnerObject, type);
  if (made == nullptr) return nullptr;
  new (&made->owner) std::shared_ptr<void>(std::move(owner));
  made->data = const_cast<void*>(data);
  made->itemsize = static_cast<Py_ssize_t>(itemsize);
  made->ndim = static_cast<int>(shape.size());
  Py_ssize_t stride = made->itemsize;
  for (int i = made->ndim - 1; i >= 0; --i) {
    made->shape[i] = static_cast<Py_ssize_t>(shape[static_cast<std::size_t>(i)]);
    made->strides[i] = stride;
    stride *= made->shape[i];
  }
  // PEP 3118's characters of the element: "?", "b" to "q", "B" to "Q", "f", "d", "Zf", "Zd".
  static constexpr const char* kSigned = "bh?i???q";
  static constexpr const char* kUnsigned = "BH?I???Q";
  const std::size_t size_index = itemsize - 1 < 8 ? itemsize - 1 : 2;
  const char* format = kind == 'b'   ? "?"
                       : kind == 'f' ? (itemsize == 4 ? "f" : "d")
                       : kind == 'c' ? (itemsize == 8 ? "Zf" : "Zd")
                                     : nullptr;
  if (format != nullptr) {
    std::strcpy(made->format, format);
  } else {
    made->format[0] = (kind == 'i' ? kSigned : kUnsigned)[size_index];
    made->format[1] = '\0';
  }
  PyObject* array = PyObject_CallOneArg(asarray, reinterpret_cast<PyObject*>(made));
  Py_DECREF(made);
  return array;
}

}  // namespace detail

}  // namespace goray::python
