// msgpack -> Python (see unpack.h).
#include "unpack.h"

#include "arrays.h"

#include <vector>

namespace goray::fastpath {
namespace {

// A msgpack-c parse visitor that builds the Python objects goray._codec's unpacker
// builds. Any doubt (ext types, invalid UTF-8, unhashable keys, deep nesting, an
// allocation failure) stops the parse with failed() set and no exception pending.
class Builder {
 public:
  explicit Builder(size_t input_size) : input_size_(input_size) {}
  Builder(const Builder &) = delete;
  Builder &operator=(const Builder &) = delete;
  ~Builder() {
    for (Frame &frame : stack_) {
      Py_XDECREF(frame.container);
      Py_XDECREF(frame.key);
    }
    Py_XDECREF(result_);
  }

  bool failed() const { return failed_; }
  PyObject *take() {  // the value built (a new reference), or NULL
    PyObject *result = result_;
    result_ = nullptr;
    return result;
  }

  bool visit_nil() { return add(Py_NewRef(Py_None)); }
  bool visit_boolean(bool value) { return add(Py_NewRef(value ? Py_True : Py_False)); }
  bool visit_positive_integer(uint64_t value) {
    return add(PyLong_FromUnsignedLongLong(value));
  }
  bool visit_negative_integer(int64_t value) { return add(PyLong_FromLongLong(value)); }
  bool visit_float32(float value) { return add(PyFloat_FromDouble(value)); }
  bool visit_float64(double value) { return add(PyFloat_FromDouble(value)); }
  bool visit_str(const char *data, uint32_t size) {
    PyObject *text = PyUnicode_DecodeUTF8(data, size, nullptr);  // strict
    if (text != nullptr && !stack_.empty() && stack_.back().is_map && stack_.back().at_key) {
      PyUnicode_InternInPlace(&text);  // as msgpack-python does for map keys
    }
    return add(text);
  }
  bool visit_bin(const char *data, uint32_t size) {
    return add(PyBytes_FromStringAndSize(data, size));
  }
  // Ext 71 (an inline array) through goray._arrays.decode_inline while NumPy is imported;
  // anything else (timestamps, ext 72, other codes) is left to the Python code.
  bool visit_ext(const char *data, uint32_t size) {
    if (size < 1 || static_cast<signed char>(data[0]) != codec::detail::kExtArrayInline || !inline_arrays_decodable()) {
      return fail();
    }
    return add(decode_inline_array(data + 1, size - 1));
  }
  bool start_array(uint32_t size) {
    // Each element takes at least a byte: a larger count is not msgpack we accept.
    if (stack_.size() >= kMaxDepth || size > input_size_) return fail();
    PyObject *list = PyList_New(size);
    if (list == nullptr) return fail();
    return push(list, false);
  }
  bool start_array_item() { return true; }
  bool end_array_item() { return true; }
  bool end_array() { return pop(); }
  bool start_map(uint32_t size) {
    if (stack_.size() >= kMaxDepth || size > input_size_ / 2) return fail();
    PyObject *dict = PyDict_New();
    if (dict == nullptr) return fail();
    return push(dict, true);
  }
  bool start_map_key() {
    stack_.back().at_key = true;
    return true;
  }
  bool end_map_key() {
    stack_.back().at_key = false;
    return true;
  }
  bool start_map_value() { return true; }
  bool end_map_value() { return true; }
  bool end_map() { return pop(); }
  void parse_error(size_t, size_t) { failed_ = true; }
  void insufficient_bytes(size_t, size_t) { failed_ = true; }
  bool referenced() const { return false; }
  void set_referenced(bool) {}

 private:
  struct Frame {
    PyObject *container;
    PyObject *key;
    Py_ssize_t index;
    bool is_map;
    bool at_key;
  };

  bool fail() {
    failed_ = true;
    PyErr_Clear();
    return false;
  }
  bool push(PyObject *container, bool is_map) {
    try {
      stack_.push_back(Frame{container, nullptr, 0, is_map, false});
    } catch (...) {
      Py_DECREF(container);
      return fail();
    }
    return true;
  }
  bool pop() {
    PyObject *container = stack_.back().container;
    stack_.pop_back();
    return add(container);
  }
  // Places a finished value (a new reference, or NULL on failure) in its container.
  bool add(PyObject *value) {
    if (value == nullptr) return fail();
    if (stack_.empty()) {
      result_ = value;
      return true;
    }
    Frame &frame = stack_.back();
    if (!frame.is_map) {
      PyList_SET_ITEM(frame.container, frame.index++, value);
      return true;
    }
    if (frame.at_key) {
      frame.key = value;
      return true;
    }
    // Duplicate keys: the last value wins, as in msgpack-python. A list or dict key
    // is unhashable: a TypeError there, a fallback here.
    int status = PyDict_SetItem(frame.container, frame.key, value);
    Py_DECREF(value);
    Py_CLEAR(frame.key);
    if (status != 0) return fail();
    return true;
  }

  size_t input_size_;
  std::vector<Frame> stack_;
  PyObject *result_ = nullptr;
  bool failed_ = false;
};

}  // namespace

bool decode_block(const char *data, size_t size, ObjectList &values) {
  size_t before = values.size();
  size_t offset = 0;
  try {
    while (offset < size) {
      // The one-byte values (fixints, nil, booleans, most arguments) without a parse.
      unsigned char head = static_cast<unsigned char>(data[offset]);
      PyObject *value = nullptr;
      if (head <= 0x7f || head >= 0xe0) {
        value = PyLong_FromLong(static_cast<signed char>(head));  // fixint
      } else if (head == 0xc0) {
        value = Py_NewRef(Py_None);
      } else if (head == 0xc2 || head == 0xc3) {
        value = Py_NewRef(head == 0xc3 ? Py_True : Py_False);
      }
      if (value != nullptr) {
        ++offset;
        values.push(value);
        continue;
      }
      Builder builder(size);
      bool parsed = msgpack::parse(data, size, offset, builder);
      value = builder.take();
      if (!parsed || builder.failed() || value == nullptr) {
        Py_XDECREF(value);
        values.truncate(before);
        PyErr_Clear();
        return false;
      }
      values.push(value);
    }
  } catch (...) {
    PyErr_Clear();
    values.truncate(before);
    return false;
  }
  return true;
}

PyObject *fast_unpack_values(PyObject *, PyObject *data) {
  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return nullptr;
  ObjectList values;
  bool decoded = decode_block(static_cast<const char *>(view.buf), static_cast<size_t>(view.len),
                              values);
  PyBuffer_Release(&view);
  if (!decoded) Py_RETURN_NONE;
  PyObject *list = PyList_New(static_cast<Py_ssize_t>(values.size()));
  if (list == nullptr) return nullptr;
  for (size_t i = 0; i < values.size(); ++i) {
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), Py_NewRef(values[i]));
  }
  return list;
}

}  // namespace goray::fastpath
