// The non-template parts of the typed entries (entries.h, convert.h), inline: an entries
// module is one translation unit, and it links nothing of the runtime.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace goray::python {

namespace detail {

inline bool TakeHelper(PyObject* helpers, const char* key, PyObject*& out) {
  PyObject* value = PyDict_GetItemString(helpers, key);  // borrowed
  if (value == nullptr) {
    PyErr_Format(PyExc_RuntimeError, "goray._entries.bind: no helper %s", key);
    return false;
  }
  out = Py_NewRef(value);  // kept for the process
  return true;
}

}  // namespace detail

inline bool EnsureBound() {
  Goray& goray = TheGoray();
  if (goray.bound) return true;
  PyObject* module = PyImport_ImportModule("goray._entries");
  if (module == nullptr) return false;
  PyObject* answer = PyObject_CallMethod(module, "bind", "s", goray.app_name);
  Py_DECREF(module);
  if (answer == nullptr) return false;
  PyObject* address_object = nullptr;
  PyObject* helpers = nullptr;
  if (!PyArg_ParseTuple(answer, "OO!:goray._entries.bind", &address_object, &PyDict_Type, &helpers)) {
    Py_DECREF(answer);
    return false;
  }
  const unsigned long long address = PyLong_AsUnsignedLongLong(address_object);
  bool taken = !PyErr_Occurred() && detail::TakeHelper(helpers, "error_from_reply", goray.error_from_reply) &&
               detail::TakeHelper(helpers, "run_task", goray.run_task) &&
               detail::TakeHelper(helpers, "call_method", goray.call_method) &&
               detail::TakeHelper(helpers, "new_actor_index", goray.new_actor_index) &&
               detail::TakeHelper(helpers, "result_converter", goray.result_converter) &&
               detail::TakeHelper(helpers, "adopt_array", goray.adopt_array) &&
               detail::TakeHelper(helpers, "not_utf8", goray.not_utf8) &&
               detail::TakeHelper(helpers, "arrow_array", goray.arrow_array) &&
               detail::TakeHelper(helpers, "codec_error", goray.codec_error) &&
               detail::TakeHelper(helpers, "close_actor", goray.close_actor);
  Py_DECREF(answer);
  if (!taken) return false;
  if (address != 0) {
    auto entries = reinterpret_cast<const void* (*)(unsigned long long)>(static_cast<std::uintptr_t>(address));
    const auto* table = static_cast<const TypedEntries*>(entries(goray::detail::kTypedEntriesAbi));
    // Another application's library, or one whose registration failed: every call takes
    // the codec path, which answers as it always did.
    if (table != nullptr && table->app_name == goray.app_name && table->registration_error.empty()) {
      goray.table = table;
    }
  }
  goray.bound = true;
  return true;
}

inline const TypedEntry* FindEntry(TypedKind kind, std::string_view type, std::string_view name,
                                   std::size_t arity, const char* signature) {
  const TypedEntries* table = TheGoray().table;
  if (table == nullptr) return nullptr;
  for (const TypedEntry& entry : table->entries) {
    if (entry.kind == kind && entry.arity == arity && entry.name == name && entry.type == type) {
      return entry.signature == signature ? &entry : nullptr;
    }
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

inline PyObject* CallPrefixed(PyObject* function, PyObject* first, PyObject* second, PyObject* const* args,
                              Py_ssize_t nargs, PyObject* kwnames) {
  const Py_ssize_t prefix = second != nullptr ? 2 : 1;
  const Py_ssize_t keywords = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  std::vector<PyObject*> all(static_cast<std::size_t>(prefix + nargs + keywords));
  all[0] = first;
  if (second != nullptr) all[1] = second;
  for (Py_ssize_t i = 0; i < nargs + keywords; ++i) all[static_cast<std::size_t>(prefix + i)] = args[i];
  return PyObject_Vectorcall(function, all.data(), static_cast<std::size_t>(prefix + nargs), kwnames);
}

namespace detail {

// Set by StrFromUtf8 when a string of the result being converted was not UTF-8.
inline thread_local bool t_not_utf8 = false;

inline bool TakeNotUtf8() noexcept {
  const bool was = t_not_utf8;
  t_not_utf8 = false;
  return was;
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
  PyObject* pair = PyTuple_Pack(2, schema_capsule, array_capsule);
  Py_DECREF(schema_capsule);
  Py_DECREF(array_capsule);
  if (pair == nullptr) return nullptr;
  PyObject* result = PyObject_CallOneArg(TheGoray().arrow_array, pair);
  Py_DECREF(pair);
  return result;
}

inline PyObject* AdoptArray(std::shared_ptr<void> owner, const void* data, char kind, std::size_t itemsize,
                            const std::vector<std::int64_t>& shape) {
  auto* kept = new std::shared_ptr<void>(std::move(owner));
  PyObject* capsule = PyCapsule_New(kept, "goray.array_owner", [](PyObject* self) {
    delete static_cast<std::shared_ptr<void>*>(PyCapsule_GetPointer(self, "goray.array_owner"));
  });
  if (capsule == nullptr) {
    delete kept;
    return nullptr;
  }
  PyObject* dims = PyTuple_New(static_cast<Py_ssize_t>(shape.size()));
  if (dims == nullptr) {
    Py_DECREF(capsule);
    return nullptr;
  }
  for (std::size_t i = 0; i < shape.size(); ++i) {
    PyObject* extent = PyLong_FromLongLong(shape[i]);
    if (extent == nullptr) {
      Py_DECREF(dims);
      Py_DECREF(capsule);
      return nullptr;
    }
    PyTuple_SET_ITEM(dims, static_cast<Py_ssize_t>(i), extent);
  }
  const char kind_text[2] = {kind, '\0'};
  PyObject* array = PyObject_CallFunction(TheGoray().adopt_array, "OsnOK", capsule, kind_text,
                                          static_cast<Py_ssize_t>(itemsize), dims,
                                          static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(data)));
  Py_DECREF(dims);
  Py_DECREF(capsule);
  return array;
}

}  // namespace detail

}  // namespace goray::python
