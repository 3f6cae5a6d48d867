// Python -> msgpack (see pack.h).
#include "pack.h"

#include "arrays.h"

#include <cstring>

namespace goray::fastpath {
namespace {

// float64 always: msgpack-c's pack_double writes integral doubles as ints (and -0.0 as
// 0), which msgpack-python, and so goray._codec, never does.
void pack_float64(Buffer &buffer, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  char bytes[9];
  bytes[0] = static_cast<char>(0xcb);
  for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>((bits >> (56 - 8 * i)) & 0xff);
  buffer.write(bytes, sizeof bytes);
}

}  // namespace

bool pack_object(Packer &packer, Buffer &buffer, PyObject *value, int depth, ArrayPins *pins) {
  if (value == Py_None) {
    packer.pack_nil();
    return true;
  }
  if (value == Py_True) {
    packer.pack_true();
    return true;
  }
  if (value == Py_False) {
    packer.pack_false();
    return true;
  }
  PyTypeObject *type = Py_TYPE(value);
  if (type == &PyLong_Type) {
    int overflow = 0;
    long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow == 0) {
      if (number == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return false;
      }
      // msgpack-python: o > 0 as unsigned, else as signed; same smallest encodings.
      if (number > 0) {
        packer.pack_uint64(static_cast<uint64_t>(number));
      } else {
        packer.pack_int64(number);
      }
      return true;
    }
    if (overflow > 0) {
      unsigned long long unsigned_number = PyLong_AsUnsignedLongLong(value);
      if (unsigned_number == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
        PyErr_Clear();  // beyond 64 bits: the Python code raises its own error
        return false;
      }
      packer.pack_uint64(unsigned_number);
      return true;
    }
    return false;
  }
  if (type == &PyFloat_Type) {
    pack_float64(buffer, PyFloat_AS_DOUBLE(value));
    return true;
  }
  if (type == &PyUnicode_Type) {
    Py_ssize_t size = 0;
    const char *text = PyUnicode_AsUTF8AndSize(value, &size);
    if (text == nullptr) {  // lone surrogates: the Python code raises its own error
      PyErr_Clear();
      return false;
    }
    if (static_cast<uint64_t>(size) > UINT32_MAX) return false;
    buffer.reserve(static_cast<size_t>(size) + 5);
    packer.pack_str(static_cast<uint32_t>(size));
    packer.pack_str_body(text, static_cast<uint32_t>(size));
    return true;
  }
  if (type == &PyBytes_Type || type == &PyByteArray_Type) {
    const char *bytes = type == &PyBytes_Type ? PyBytes_AS_STRING(value)
                                              : PyByteArray_AS_STRING(value);
    Py_ssize_t size = Py_SIZE(value);
    if (static_cast<uint64_t>(size) > UINT32_MAX) return false;
    buffer.reserve(static_cast<size_t>(size) + 5);
    packer.pack_bin(static_cast<uint32_t>(size));
    packer.pack_bin_body(bytes, static_cast<uint32_t>(size));
    return true;
  }
  if (depth >= kMaxDepth) return false;
  if (type == &PyList_Type || type == &PyTuple_Type) {
    // No Python code runs while packing exact builtin types: the sequence cannot change.
    Py_ssize_t size = Py_SIZE(value);
    if (static_cast<uint64_t>(size) > UINT32_MAX) return false;
    PyObject **items = type == &PyList_Type ? reinterpret_cast<PyListObject *>(value)->ob_item
                                            : reinterpret_cast<PyTupleObject *>(value)->ob_item;
    packer.pack_array(static_cast<uint32_t>(size));
    for (Py_ssize_t i = 0; i < size; ++i) {
      if (!pack_object(packer, buffer, items[i], depth + 1, pins)) return false;
    }
    return true;
  }
  if (type == &PyDict_Type) {
    Py_ssize_t size = PyDict_GET_SIZE(value);
    if (static_cast<uint64_t>(size) > UINT32_MAX) return false;
    packer.pack_map(static_cast<uint32_t>(size));
    Py_ssize_t position = 0;
    PyObject *key;
    PyObject *item;
    while (PyDict_Next(value, &position, &key, &item)) {
      if (!pack_object(packer, buffer, key, depth + 1, pins)) return false;
      if (!pack_object(packer, buffer, item, depth + 1, pins)) return false;
    }
    return true;
  }
  if (g_arrays_enabled && std::strcmp(type->tp_name, "numpy.ndarray") == 0) {
    return pins != nullptr ? pack_borrowed_array(packer, value, *pins)
                           : pack_inline_array(packer, buffer, value);
  }
  return false;  // subclasses, datetime, memoryview, sets, ...: the Python code decides
}

size_t ext_header_size(uint64_t length) {
  if (length == 1 || length == 2 || length == 4 || length == 8 || length == 16) return 2;
  if (length < 256) return 3;
  if (length < 65536) return 4;
  return 6;
}

PyObject *fast_pack(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 2) {
    PyErr_SetString(PyExc_TypeError, "pack(value, by_address=False)");
    return nullptr;
  }
  int by_address = nargs == 2 ? PyObject_IsTrue(args[1]) : 0;
  if (by_address < 0) return nullptr;
  ArrayPins pins;  // released on return (the bytes' addresses are the arrays' own)
  Buffer buffer;
  bool packed;
  try {
    Packer packer(buffer);
    packed = pack_object(packer, buffer, args[0], 0, by_address ? &pins : nullptr);
  } catch (...) {
    PyErr_Clear();
    packed = false;
  }
  if (!packed) Py_RETURN_NONE;
  return PyBytes_FromStringAndSize(buffer.data(), static_cast<Py_ssize_t>(buffer.size()));
}

}  // namespace goray::fastpath
