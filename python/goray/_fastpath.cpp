// goray._fastpath: the C ABI of docs/protocol.md §1 without ctypes' per-call cost,
// and the in-process hot paths done in C++.
//
// _ffi.py loads the library with ctypes (dlopen, symbol lookup) and, when this module
// is importable and GORAY_NO_FASTPATH is unset, hands it the addresses of Execute and
// FreeMemory and registers `callback_address()` instead of a ctypes callback.
//
//   execute(request, payload) -> (code, bytes)
//       Execute with the GIL released; the output is copied, then FreeMemory'd.
//   execute_view(request, payload, copy_below) -> (code, memoryview)
//       As execute, but an output of copy_below bytes or more stays in the library's
//       buffer, FreeMemory'd when its last view is collected.
//   find_ref_exts(data) -> [(offset, type)]
//       Where the ext 73/74 (ObjectRef / ActorHandle) payloads of msgpack values are.
//   golang_local_run_task(name, *args), actor_call(index, method, args, type_name)
//       Py2Native RunTask / ActorMethodCall: the args are packed, the units framed, the
//       native return block decoded here. Arguments this code does not pack exactly
//       like goray._codec go to the Python implementation (the whole call); a
//       non-zero code goes to goray.errors.error_from_reply; a reply this code does
//       not decode exactly like goray._codec goes to _codec.unpack_result_block
//       (arrays in replies: ext 71/72 are adopted there). Once the library speaks
//       arrays (set_commands), exact C-contiguous numpy.ndarray arguments are sent
//       here by address (ext 72 borrowed, their buffers held until Execute returns).
//   the callback
//       takes the GIL from any thread. Native2Py commands 0 (ExePythonLocalTask) and
//       3 (LocalMethodCall) are served here when the call is an ordinary one (see
//       serve_call); command 1 (ExePyCode) has its args decoded here and the rest
//       done by _handlers._run_py_code. Anything else, and anything this code does
//       not handle exactly like the Python handlers, goes to _handlers.dispatch with
//       (request, memoryview of the input), whose (code, bytes) reply is returned
//       malloc'ed; any failure is code 1 with text, never an exception in C.
//
// msgpack: parsed with msgpack-c's visitor API straight into Python objects and packed
// with msgpack-c's packer, with the semantics of goray._codec (use_bin_type=True,
// raw=False, strict_map_key=False; str keys interned like msgpack-python). Values
// outside the exactly-handled set (ext types such as timestamps, invalid UTF-8,
// unhashable keys, ints beyond 64 bits, subclasses, deep nesting) are never guessed
// at: the caller falls back to the Python code.
//
// Native threads that call Python keep their Python thread state between calls
// (creating one per call is most of the cost of a call from a C++ thread); it is
// deleted when the thread exits.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MSGPACK_NO_BOOST
// msgpack-c's parse context reserves its container stack on the heap for every value
// parsed (32 entries by default); values here are mostly scalars: grow it on demand.
#define MSGPACK_EMBED_STACK_SIZE 0
#include <msgpack.hpp>

#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using ExecuteFn = void *(*)(long long, void *, long long, long long *, long long *);
using FreeMemoryFn = void (*)(void *);

ExecuteFn g_execute = nullptr;
FreeMemoryFn g_free = nullptr;
PyObject *g_dispatch = nullptr;    // dispatch(request, data) -> (code, bytes)
PyObject *g_error_text = nullptr;  // error_text(exception) -> bytes
PyObject *g_empty = nullptr;       // b"": the input when there is none
PyObject *g_fallback = nullptr;    // the FALLBACK sentinel of actor_call

// Native2Py hooks (set_native2py).
PyObject *g_handler_table = nullptr;  // _handlers._handlers: command -> handler
PyObject *g_stock[4] = {};            // the stock handlers of commands 0, 1, 3
PyObject *g_command_keys[4] = {};     // the ints 0..3
PyObject *g_resolve = nullptr;        // _handlers._fast_target(command, json) -> spec
PyObject *g_functions = nullptr;      // _registry._functions
PyObject *g_imported = nullptr;       // _registry._imported
PyObject *g_instances = nullptr;      // _handlers._instances
PyObject *g_pack_result = nullptr;    // _handlers._pack_result(value, callee) -> bytes
PyObject *g_run_py_code = nullptr;    // _handlers._run_py_code(source, args) -> bytes

// Py2Native hooks (set_py2native).
PyObject *g_run_task_python = nullptr;  // the Python golang_local_run_task
PyObject *g_error_from_reply = nullptr; // errors.error_from_reply(code, reply, callee)
PyObject *g_unpack_result = nullptr;    // _codec.unpack_result_block(reply, callee)
// The commands of golang_local_run_task and actor_call: RunTask/ActorMethodCall (4/6),
// or RunTaskForPython/ActorMethodCallForPython (34/35) once the library speaks arrays.
long long g_run_task_command = 4;
unsigned long long g_actor_call_command = 6;

// What went which way (tests prove the C paths and the fallbacks with these).
struct Counters {
  unsigned long long native2py_fast = 0;      // commands 0/3 served in C
  unsigned long long native2py_code = 0;      // command 1 with args decoded in C
  unsigned long long native2py_fallback = 0;  // commands 0/1/3 sent to dispatch
  unsigned long long native2py_result_fallback = 0;  // result packed by _pack_result
  unsigned long long py2native_fast = 0;
  unsigned long long py2native_fallback = 0;
  unsigned long long py2native_result_fallback = 0;  // decoded by unpack_result_block
} g_counters;

// Nesting beyond this is left to the Python code (msgpack-python refuses deeper than
// about 1024 levels on unpack and ~511 on pack: its own errors, its own texts).
constexpr int kMaxDepth = 200;

// Dict versions (PEP 509, CPython <= 3.11): a dict's ma_version_tag changes on every
// change of its contents, so "same tag" means "same lookup result". Later versions
// deprecate the field: there every call looks up again.
#if PY_VERSION_HEX < 0x030C0000
#define GORAY_DICT_VERSIONS 1
uint64_t dict_version(PyObject *dict) {
  return reinterpret_cast<PyDictObject *>(dict)->ma_version_tag;
}
#endif

// ---- Buffers ------------------------------------------------------------------------

// A growable malloc'ed byte buffer (msgpack-c's Stream concept). Small contents stay
// inline; release() hands over a malloc'ed block the library can free().
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() {
    if (data_ != inline_) std::free(data_);
  }

  void write(const char *bytes, size_t size) {
    reserve(size);
    std::memcpy(data_ + size_, bytes, size);
    size_ += size;
  }
  void put_u64(uint64_t value) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    write(bytes, 8);
  }
  void patch_u64(size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i) data_[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  // Room for `more` bytes after the contents.
  void reserve(size_t more) {
    if (more <= capacity_ - size_) return;
    if (more > SIZE_MAX / 2 - size_) throw std::bad_alloc();
    size_t capacity = capacity_ * 2;
    if (capacity < size_ + more) capacity = size_ + more;
    char *grown;
    if (data_ == inline_) {
      grown = static_cast<char *>(std::malloc(capacity));
      if (grown != nullptr) std::memcpy(grown, inline_, size_);
    } else {
      grown = static_cast<char *>(std::realloc(data_, capacity));
    }
    if (grown == nullptr) throw std::bad_alloc();
    data_ = grown;
    capacity_ = capacity;
  }
  char *data() { return data_; }
  size_t size() const { return size_; }
  // The contents as a malloc'ed block (NULL when empty or out of memory).
  char *release() {
    char *out;
    if (size_ == 0) return nullptr;
    if (data_ == inline_) {
      out = static_cast<char *>(std::malloc(size_));
      if (out != nullptr) std::memcpy(out, inline_, size_);
    } else {
      out = data_;
    }
    data_ = inline_;
    size_ = 0;
    capacity_ = sizeof inline_;
    return out;
  }

 private:
  char inline_[256];
  char *data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = sizeof inline_;
};

using Packer = msgpack::packer<Buffer>;

// ---- Python -> msgpack --------------------------------------------------------------

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

// ---- Arrays by address (ext 72, borrowed) ------------------------------------------

// True once the library speaks arrays (set_commands): exact numpy.ndarray arguments of
// in-process calls are then sent by address, like goray._arrays in BORROWED mode.
bool g_arrays_enabled = false;

// The buffers of the arrays a call's request points to: held (and the arrays with
// them) until the call returns; released with the GIL held.
class ArrayPins {
 public:
  ArrayPins() = default;
  ArrayPins(const ArrayPins &) = delete;
  ArrayPins &operator=(const ArrayPins &) = delete;
  ~ArrayPins() {
    for (Py_buffer &view : views_) PyBuffer_Release(&view);
  }
  Py_buffer *add() {  // a slot for PyObject_GetBuffer; throws std::bad_alloc
    views_.emplace_back();
    return &views_.back();
  }
  void drop_last() { views_.pop_back(); }  // the slot was not filled

 private:
  std::list<Py_buffer> views_;  // stable addresses; empty costs no allocation
};

// numpy's dtype (kind, itemsize) of a buffer format, or kind 0 when unsupported
// (big-endian, float16, structured, ...: the Python code decides).
char array_kind(const char *format, Py_ssize_t itemsize) {
  if (format == nullptr) return 0;
  if (*format == '@' || *format == '=' || *format == '<') ++format;
  char kind = 0;
  Py_ssize_t size = 0;
  switch (format[0]) {
    case '?': kind = 'b', size = 1; break;
    case 'b': kind = 'i', size = 1; break;
    case 'B': kind = 'u', size = 1; break;
    case 'h': kind = 'i', size = 2; break;
    case 'H': kind = 'u', size = 2; break;
    case 'i': kind = 'i', size = 4; break;
    case 'I': kind = 'u', size = 4; break;
    case 'l': case 'q': kind = 'i', size = 8; break;
    case 'L': case 'Q': kind = 'u', size = 8; break;
    case 'f': kind = 'f', size = 4; break;
    case 'd': kind = 'f', size = 8; break;
    case 'Z':
      if (format[1] == 'f' && format[2] == '\0') return itemsize == 8 ? 'c' : 0;
      if (format[1] == 'd' && format[2] == '\0') return itemsize == 16 ? 'c' : 0;
      return 0;
    default: return 0;
  }
  return format[1] == '\0' && size == itemsize ? kind : 0;
}

// Packs an exact numpy.ndarray that is C-contiguous, aligned and of a supported dtype
// as ext 72 borrowed, pinning its buffer in `pins`. False (nothing written, no
// exception set) for any other array.
bool pack_borrowed_array(Packer &packer, PyObject *value, ArrayPins &pins);

// Packs an exact C-contiguous numpy.ndarray of a supported dtype as ext 71 inline, its
// data 64-byte aligned from the start of `buffer` (goray._arrays' INLINE mode, so the
// bytes equal goray._codec.pack's). False (nothing written, no exception) otherwise.
bool pack_inline_array(Packer &packer, Buffer &buffer, PyObject *value);

// Packs `value` like goray._codec.pack when it is made only of exact None, bool, int
// (64 bits), float, str, bytes, bytearray, list, tuple and dict. Returns false, with
// no exception set, for anything else (the caller falls back to the Python code).
// May throw std::bad_alloc.
bool pack_object(Packer &packer, Buffer &buffer, PyObject *value, int depth,
                 ArrayPins *pins = nullptr) {
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

// msgpack's ext header size for a payload of `length` bytes.
size_t ext_header_size(uint64_t length) {
  if (length == 1 || length == 2 || length == 4 || length == 8 || length == 16) return 2;
  if (length < 256) return 3;
  if (length < 65536) return 4;
  return 6;
}

bool pack_inline_array(Packer &packer, Buffer &buffer, PyObject *value) {
  Py_buffer view;
  if (PyObject_GetBuffer(value, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) {
    PyErr_Clear();
    return false;
  }
  struct Release {
    Py_buffer *view;
    ~Release() { PyBuffer_Release(view); }
  } release{&view};
  const char kind = array_kind(view.format, view.itemsize);
  if (kind == 0 || view.ndim > 32) return false;
  const uint64_t head = 4 + 8 * static_cast<uint64_t>(view.ndim);
  const uint64_t nbytes = static_cast<uint64_t>(view.len);
  uint64_t pad = 0;
  size_t header = 0;
  for (int i = 0; i < 4; ++i) {
    header = ext_header_size(head + pad + nbytes);
    pad = (64 - (buffer.size() + header + head) % 64) % 64;
    if (ext_header_size(head + pad + nbytes) == header) break;
  }
  const uint64_t length = head + pad + nbytes;
  if (length > UINT32_MAX) return false;  // the Python code names the limit
  buffer.reserve(header + static_cast<size_t>(length));
  packer.pack_ext(static_cast<size_t>(length), 71);
  char bytes[4 + 8 * 32 + 64] = {};
  bytes[0] = kind;
  bytes[1] = static_cast<char>(view.itemsize);
  bytes[2] = static_cast<char>(view.ndim);
  bytes[3] = static_cast<char>(pad);
  size_t at = 4;
  for (int i = 0; i < view.ndim; ++i) {
    const uint64_t extent = static_cast<uint64_t>(view.shape[i]);
    for (int b = 0; b < 8; ++b) bytes[at++] = static_cast<char>((extent >> (8 * b)) & 0xff);
  }
  buffer.write(bytes, static_cast<size_t>(head + pad));  // the pad bytes are zero
  if (nbytes > 0) buffer.write(static_cast<const char *>(view.buf), static_cast<size_t>(nbytes));
  return true;
}

bool pack_borrowed_array(Packer &packer, PyObject *value, ArrayPins &pins) {
  Py_buffer *view = pins.add();
  if (PyObject_GetBuffer(value, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) {
    pins.drop_last();
    PyErr_Clear();  // not C-contiguous: the Python code copies it once
    return false;
  }
  const char kind = array_kind(view->format, view->itemsize);
  const size_t align = kind == 'c' ? static_cast<size_t>(view->itemsize / 2)
                                   : static_cast<size_t>(view->itemsize);
  if (kind == 0 || view->ndim > 32 ||
      reinterpret_cast<uintptr_t>(view->buf) % (align == 0 ? 1 : align) != 0) {
    return false;  // the pin is released with the others
  }
  char payload[4 + 8 * 32 + 16];
  const int ndim = view->ndim;
  payload[0] = kind;
  payload[1] = static_cast<char>(view->itemsize);
  payload[2] = static_cast<char>(ndim);
  payload[3] = 0;  // borrowed
  size_t at = 4;
  auto put = [&](uint64_t number) {
    for (int i = 0; i < 8; ++i) payload[at++] = static_cast<char>((number >> (8 * i)) & 0xff);
  };
  for (int i = 0; i < ndim; ++i) put(static_cast<uint64_t>(view->shape[i]));
  put(reinterpret_cast<uintptr_t>(view->buf));
  put(0);  // token
  packer.pack_ext(at, 72);
  packer.pack_ext_body(payload, static_cast<uint32_t>(at));
  return true;
}

// ---- msgpack -> Python ------------------------------------------------------------

// goray._arrays.decode_inline (set_inline_decoder), once the library speaks arrays.
PyObject *g_decode_inline = nullptr;

// Ext 71 is decoded here only while NumPy is imported: then decode_inline cannot meet
// a missing NumPy (the Python code reports that, naming the callee and position).
bool numpy_loaded() {
  if (g_decode_inline == nullptr) return false;
  static PyObject *name = PyUnicode_InternFromString("numpy");
  if (name == nullptr) {
    PyErr_Clear();
    return false;
  }
  PyObject *module = PyImport_GetModule(name);
  if (module == nullptr) {
    PyErr_Clear();
    return false;
  }
  bool loaded = module != Py_None;
  Py_DECREF(module);
  return loaded;
}

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
    if (size < 1 || static_cast<signed char>(data[0]) != 71 || !numpy_loaded()) return fail();
    PyObject *payload = PyBytes_FromStringAndSize(data + 1, static_cast<Py_ssize_t>(size - 1));
    if (payload == nullptr) return fail();
    PyObject *array = PyObject_CallOneArg(g_decode_inline, payload);
    Py_DECREF(payload);
    return add(array);
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

// Python objects owned by a call (a few inline, more on the heap), released at scope
// exit.
class ObjectList {
 public:
  ObjectList() = default;
  ObjectList(const ObjectList &) = delete;
  ObjectList &operator=(const ObjectList &) = delete;
  ~ObjectList() {
    truncate(0);
    if (items_ != inline_) std::free(items_);
  }
  void push(PyObject *item) {  // steals `item`; throws std::bad_alloc (then releases it)
    if (size_ == capacity_) {
      size_t capacity = capacity_ * 2;
      PyObject **grown = static_cast<PyObject **>(std::malloc(capacity * sizeof(PyObject *)));
      if (grown == nullptr) {
        Py_XDECREF(item);
        throw std::bad_alloc();
      }
      std::memcpy(grown, items_, size_ * sizeof(PyObject *));
      if (items_ != inline_) std::free(items_);
      items_ = grown;
      capacity_ = capacity;
    }
    items_[size_++] = item;
  }
  void truncate(size_t size) {  // drops the items after the first `size`
    while (size_ > size) {
      --size_;
      Py_XDECREF(items_[size_]);
    }
  }
  size_t size() const { return size_; }
  PyObject **data() { return items_; }
  PyObject *operator[](size_t i) const { return items_[i]; }

 private:
  PyObject *inline_[8];
  PyObject **items_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = 8;
};

// Decodes every value of concatenated msgpack (an args block or a native return
// block), appended to `values`. False, with no exception set and `values` as it
// was, when this code does not decode it exactly like
// goray._codec (the caller falls back).
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

// ---- Py2Native ----------------------------------------------------------------------

// Non-NULL even when empty (docs/protocol.md §1).
char g_empty_input[1];

PyObject *fast_bind(PyObject *, PyObject *args) {
  unsigned long long execute_address, free_address;
  if (!PyArg_ParseTuple(args, "KK", &execute_address, &free_address)) return nullptr;
  if (execute_address == 0 || free_address == 0) {
    PyErr_SetString(PyExc_ValueError, "null function address");
    return nullptr;
  }
  g_execute = reinterpret_cast<ExecuteFn>(static_cast<uintptr_t>(execute_address));
  g_free = reinterpret_cast<FreeMemoryFn>(static_cast<uintptr_t>(free_address));
  Py_RETURN_NONE;
}

// Calls Execute(request, payload) with the GIL released: the output pointer (NULL only
// with length 0), its length and the return code. False with a Python error set.
bool call_execute(PyObject *request_object, PyObject *payload_object, void **out,
                  long long *out_len, long long *code) {
  if (g_execute == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: no library bound");
    return false;
  }
  long long request = PyLong_AsLongLong(request_object);
  if (request == -1 && PyErr_Occurred()) return false;
  Py_buffer payload;
  if (PyObject_GetBuffer(payload_object, &payload, PyBUF_SIMPLE) != 0) return false;
  void *in_data = payload.len > 0 ? payload.buf : static_cast<void *>(g_empty_input);
  *out_len = 0;
  *code = 0;
  Py_BEGIN_ALLOW_THREADS
  *out = g_execute(request, in_data, static_cast<long long>(payload.len), out_len, code);
  Py_END_ALLOW_THREADS
  PyBuffer_Release(&payload);
  if (*out == nullptr && *out_len != 0) {
    PyErr_Format(PyExc_RuntimeError, "Execute returned NULL with length %lld", *out_len);
    return false;
  }
  return true;
}

PyObject *fast_execute(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "execute(request, payload)");
    return nullptr;
  }
  void *out;
  long long out_len;
  long long code;
  if (!call_execute(args[0], args[1], &out, &out_len, &code)) return nullptr;
  PyObject *data;
  if (out == nullptr) {
    data = PyBytes_FromStringAndSize(nullptr, 0);
  } else {
    data = out_len > 0 ? PyBytes_FromStringAndSize(static_cast<const char *>(out),
                                                   static_cast<Py_ssize_t>(out_len))
                       : PyBytes_FromStringAndSize(nullptr, 0);
    g_free(out);
  }
  if (data == nullptr) return nullptr;
  return Py_BuildValue("(LN)", code, data);
}

// A library output kept where it is: exports it as a read-only buffer and frees it
// (FreeMemory, with the GIL held, as execute does) when the last view is collected.
struct OwnedOutput {
  PyObject_HEAD
  void *data;
  Py_ssize_t size;
};

int owned_output_getbuffer(PyObject *self, Py_buffer *view, int flags) {
  auto *owned = reinterpret_cast<OwnedOutput *>(self);
  void *data = owned->data != nullptr ? owned->data : static_cast<void *>(g_empty_input);
  return PyBuffer_FillInfo(view, self, data, owned->size, 1, flags);
}

void owned_output_dealloc(PyObject *self) {
  auto *owned = reinterpret_cast<OwnedOutput *>(self);
  if (owned->data != nullptr && g_free != nullptr) g_free(owned->data);
  PyTypeObject *type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

PyType_Slot kOwnedOutputSlots[] = {
    {Py_bf_getbuffer, reinterpret_cast<void *>(owned_output_getbuffer)},
    {Py_tp_dealloc, reinterpret_cast<void *>(owned_output_dealloc)},
    {0, nullptr},
};
PyType_Spec kOwnedOutputSpec = {"goray._fastpath.OwnedOutput", sizeof(OwnedOutput), 0,
                                Py_TPFLAGS_DEFAULT, kOwnedOutputSlots};
PyObject *g_owned_output_type = nullptr;

// execute_view(request, payload, copy_below) -> (code, memoryview): as execute, but an
// output of copy_below bytes or more stays in the library's buffer (a read-only view
// of it, freed when the last view goes); smaller ones are copied and freed at once.
PyObject *fast_execute_view(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 3) {
    PyErr_SetString(PyExc_TypeError, "execute_view(request, payload, copy_below)");
    return nullptr;
  }
  Py_ssize_t copy_below = PyLong_AsSsize_t(args[2]);
  if (copy_below == -1 && PyErr_Occurred()) return nullptr;
  void *out;
  long long out_len;
  long long code;
  if (!call_execute(args[0], args[1], &out, &out_len, &code)) return nullptr;
  PyObject *owner;
  if (out == nullptr || out_len < copy_below) {
    owner = PyBytes_FromStringAndSize(static_cast<const char *>(out), static_cast<Py_ssize_t>(out_len));
    if (out != nullptr) g_free(out);
  } else {
    owner = PyType_GenericAlloc(reinterpret_cast<PyTypeObject *>(g_owned_output_type), 0);
    if (owner == nullptr) {
      g_free(out);
      return nullptr;
    }
    reinterpret_cast<OwnedOutput *>(owner)->data = out;
    reinterpret_cast<OwnedOutput *>(owner)->size = static_cast<Py_ssize_t>(out_len);
  }
  if (owner == nullptr) return nullptr;
  PyObject *view = PyMemoryView_FromObject(owner);
  Py_DECREF(owner);
  if (view == nullptr) return nullptr;
  return Py_BuildValue("(LN)", code, view);
}

// execute_decoded(request, payload, decode) -> (code, value): as execute, but on code 0
// the value is decode(memoryview of the library's output), read before FreeMemory, so
// a large reply is never copied whole (decode must keep no reference to the view).
// On another code the value is a copy of the output (bytes).
PyObject *fast_execute_decoded(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 3) {
    PyErr_SetString(PyExc_TypeError, "execute_decoded(request, payload, decode)");
    return nullptr;
  }
  void *out;
  long long out_len;
  long long code;
  if (!call_execute(args[0], args[1], &out, &out_len, &code)) return nullptr;
  char *reply = out != nullptr ? static_cast<char *>(out) : g_empty_input;
  Py_ssize_t size = out != nullptr && out_len > 0 ? static_cast<Py_ssize_t>(out_len) : 0;
  PyObject *value;
  if (code != 0) {
    value = PyBytes_FromStringAndSize(reply, size);
  } else {
    PyObject *view = PyMemoryView_FromMemory(reply, size, PyBUF_READ);
    value = view != nullptr ? PyObject_CallOneArg(args[2], view) : nullptr;
    if (view != nullptr) {
      // A view that escaped would point at freed memory: cut it off first.
      PyObject *released = PyObject_CallMethod(view, "release", nullptr);
      if (released == nullptr && value != nullptr) Py_CLEAR(value);
      Py_XDECREF(released);
      Py_DECREF(view);
    }
  }
  if (out != nullptr) g_free(out);
  if (value == nullptr) return nullptr;
  return Py_BuildValue("(LN)", code, value);
}

// Frames units(name, args block) in `buffer`. False when an argument is not packed
// here exactly like goray._codec.pack_args would (no exception set).
bool frame_call(Buffer &buffer, PyObject *name, PyObject *const *args, Py_ssize_t nargs,
                ArrayPins &pins) {
  Py_ssize_t name_size = 0;
  const char *name_bytes = PyUnicode_AsUTF8AndSize(name, &name_size);
  if (name_bytes == nullptr) {
    PyErr_Clear();
    return false;
  }
  try {
    buffer.put_u64(static_cast<uint64_t>(name_size));
    buffer.write(name_bytes, static_cast<size_t>(name_size));
    size_t length_at = buffer.size();
    buffer.put_u64(0);
    Packer packer(buffer);
    for (Py_ssize_t i = 0; i < nargs; ++i) {
      if (!pack_object(packer, buffer, args[i], 0, &pins)) return false;
    }
    buffer.patch_u64(length_at, static_cast<uint64_t>(buffer.size() - length_at - 8));
  } catch (...) {
    PyErr_Clear();
    return false;
  }
  return true;
}

// Runs Execute on a framed call and returns what a Python caller gets: the decoded
// native return block, or the exception error_from_reply(code, reply, callee) raised.
// `callee` is built on failure only.
template <class Callee>
PyObject *execute_call(long long request, Buffer &buffer, Callee callee) {
  long long out_len = 0;
  long long code = 0;
  void *out;
  void *in_data = buffer.data();  // never empty: the name unit's header at least
  Py_BEGIN_ALLOW_THREADS
  out = g_execute(request, in_data, static_cast<long long>(buffer.size()), &out_len, &code);
  Py_END_ALLOW_THREADS
  if (out == nullptr && out_len != 0) {
    PyErr_Format(PyExc_RuntimeError, "Execute returned NULL with length %lld", out_len);
    return nullptr;
  }
  const char *reply = out != nullptr ? static_cast<const char *>(out) : "";
  size_t reply_size = out != nullptr && out_len > 0 ? static_cast<size_t>(out_len) : 0;
  PyObject *result = nullptr;
  if (code != 0) {
    PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
    PyObject *name = bytes != nullptr ? callee() : nullptr;
    PyObject *error = nullptr;
    if (name != nullptr) {
      PyObject *code_object = PyLong_FromLongLong(code);
      if (code_object != nullptr) {
        PyObject *call_args[3] = {code_object, bytes, name};
        error = PyObject_Vectorcall(g_error_from_reply, call_args, 3, nullptr);
        Py_DECREF(code_object);
      }
    }
    Py_XDECREF(bytes);
    Py_XDECREF(name);
    if (error != nullptr) {
      // `raise error_from_reply(...)`
      PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(error)), error);
      Py_DECREF(error);
    }
  } else {
    ObjectList values;
    if (decode_block(reply, reply_size, values)) {
      if (values.size() == 0) {
        result = Py_NewRef(Py_None);
      } else if (values.size() == 1) {
        result = Py_NewRef(values[0]);
      } else {
        result = PyList_New(static_cast<Py_ssize_t>(values.size()));
        if (result != nullptr) {
          for (size_t i = 0; i < values.size(); ++i) {
            PyList_SET_ITEM(result, static_cast<Py_ssize_t>(i), Py_NewRef(values[i]));
          }
        }
      }
    } else {
      // Arrays (ext 71/72), timestamps, ...: decoded by the Python codec, which also
      // adopts (or releases) every ext 72 buffer of the reply.
      ++g_counters.py2native_result_fallback;
      PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
      PyObject *name = bytes != nullptr ? callee() : nullptr;
      if (name != nullptr) {
        PyObject *call_args[2] = {bytes, name};
        result = PyObject_Vectorcall(g_unpack_result, call_args, 2, nullptr);
      }
      Py_XDECREF(bytes);
      Py_XDECREF(name);
    }
  }
  if (out != nullptr) g_free(out);
  return result;
}

bool py2native_ready() {
  return g_execute != nullptr && g_run_task_python != nullptr && g_error_from_reply != nullptr &&
         g_unpack_result != nullptr;
}

// golang_local_run_task(name, *args)
PyObject *fast_run_task(PyObject *, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  if (g_run_task_python == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: set_py2native was not called");
    return nullptr;
  }
  if (kwnames == nullptr && nargs >= 1 && PyUnicode_CheckExact(args[0]) && py2native_ready()) {
    ArrayPins pins;  // outlives the call: borrowed arrays point into these buffers
    Buffer buffer;
    if (frame_call(buffer, args[0], args + 1, nargs - 1, pins)) {
      ++g_counters.py2native_fast;
      PyObject *name = args[0];
      return execute_call(g_run_task_command, buffer, [name] { return Py_NewRef(name); });
    }
  }
  // Whatever the C code does not handle exactly: the Python implementation, all of it.
  ++g_counters.py2native_fallback;
  return PyObject_Vectorcall(g_run_task_python, args, static_cast<size_t>(nargs), kwnames);
}

// actor_call(index, method, args, type_name) -> the result, or FALLBACK when the
// call must go the Python way (nothing was sent).
PyObject *fast_actor_call(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 4 || !PyTuple_CheckExact(args[2])) {
    PyErr_SetString(PyExc_TypeError, "actor_call(index, method, args: tuple, type_name)");
    return nullptr;
  }
  PyObject *method = args[1];
  PyObject *type_name = args[3];
  if (!py2native_ready() || !PyLong_CheckExact(args[0]) || !PyUnicode_CheckExact(method) ||
      !PyUnicode_CheckExact(type_name)) {
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  unsigned long long index = PyLong_AsUnsignedLongLong(args[0]);
  if ((index == static_cast<unsigned long long>(-1) && PyErr_Occurred()) ||
      index >= (1ULL << 54)) {
    PyErr_Clear();
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  ArrayPins pins;  // outlives the call: borrowed arrays point into these buffers
  Buffer buffer;
  PyObject *call_args = args[2];
  if (!frame_call(buffer, method, &PyTuple_GET_ITEM(call_args, 0), PyTuple_GET_SIZE(call_args),
                  pins)) {
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  ++g_counters.py2native_fast;
  // request = the command | index << 10, as a signed 64-bit word.
  long long request = static_cast<long long>(g_actor_call_command | (index << 10));
  return execute_call(request, buffer, [type_name, method] {
    return PyUnicode_FromFormat("%U.%U", type_name, method);
  });
}

// ---- Native2Py ------------------------------------------------------------------------

// Thread states of native threads that called Python, deleted at thread exit.
pthread_key_t g_pinned_key;
bool g_pinned_key_ready = false;

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

extern "C" void release_pinned(void *value) {
  PyThreadState *state = static_cast<PyThreadState *>(value);
  if (state == nullptr || !Py_IsInitialized() || interpreter_finalizing()) return;
  PyEval_RestoreThread(state);
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
}

// The pending exception, normalized, with its traceback (NULL if none); clears it.
PyObject *take_exception() {
#if PY_VERSION_HEX >= 0x030C0000
  return PyErr_GetRaisedException();
#else
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (type == nullptr) return nullptr;
  PyErr_NormalizeException(&type, &value, &traceback);
  if (traceback != nullptr && value != nullptr) PyException_SetTraceback(value, traceback);
  Py_XDECREF(type);
  Py_XDECREF(traceback);
  return value;
#endif
}

const char kFallbackError[] = "goray: the Python callback failed";

// Asks for transparent huge pages over a malloc'ed block of 4 MiB or more, as NumPy does
// for its arrays (THP in `madvise` mode otherwise faults fresh memory 4 KiB at a time).
// The whole allocator block (glibc maps such blocks on their own), so it stays one
// mapping; a failed madvise leaves the memory as it is.
void advise_huge_pages(void *block, size_t size) {
#ifdef MADV_HUGEPAGE
  if (block == nullptr || size < (size_t{4} << 20)) return;
  const size_t usable = malloc_usable_size(block);
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(block) & ~(page - 1);
  const uintptr_t end =
      (reinterpret_cast<uintptr_t>(block) + (usable > size ? usable : size) + page - 1) & ~(page - 1);
  (void)madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

// Copies `text` into a malloc'ed reply.
void *text_reply(const char *text, size_t size, long long code, long long *out_len,
                 long long *ret_code) {
  void *out = size > 0 ? std::malloc(size) : nullptr;
  if (size > 0 && out == nullptr) {
    *out_len = 0;
    *ret_code = 1;
    return nullptr;
  }
  advise_huge_pages(out, size);  // before the copy faults the pages in
  if (size > 0) std::memcpy(out, text, size);
  *out_len = static_cast<long long>(size);
  *ret_code = code;
  return out;
}

// The reply for an exception: code 1 with error_text(exception). Steals `exception`.
void *error_reply(PyObject *exception, long long *out_len, long long *ret_code) {
  void *out = nullptr;
  bool done = false;
  if (exception != nullptr && g_error_text != nullptr) {
    PyObject *text = PyObject_CallOneArg(g_error_text, exception);
    if (text != nullptr && PyBytes_Check(text)) {
      out = text_reply(PyBytes_AS_STRING(text), static_cast<size_t>(PyBytes_GET_SIZE(text)), 1,
                       out_len, ret_code);
      done = true;
    }
    Py_XDECREF(text);
    PyErr_Clear();
  }
  Py_XDECREF(exception);
  if (!done) out = text_reply(kFallbackError, sizeof kFallbackError - 1, 1, out_len, ret_code);
  return out;
}

// The pending Python exception as a code-1 reply (clears it).
void *exception_reply(long long *out_len, long long *ret_code) {
  return error_reply(take_exception(), out_len, ret_code);
}

// A (code, bytes) reply from Python, copied into a malloc'ed block. Steals `result`.
void *python_reply(PyObject *result, long long *out_len, long long *ret_code) {
  if (result == nullptr) return exception_reply(out_len, ret_code);
  void *out = nullptr;
  long long code;
  Py_buffer reply;
  if (!PyTuple_Check(result) || PyTuple_GET_SIZE(result) != 2) {
    Py_DECREF(result);
    PyErr_SetString(PyExc_TypeError, "the dispatcher must return (code, bytes)");
    return exception_reply(out_len, ret_code);
  }
  code = PyLong_AsLongLong(PyTuple_GET_ITEM(result, 0));
  if ((code == -1 && PyErr_Occurred()) ||
      PyObject_GetBuffer(PyTuple_GET_ITEM(result, 1), &reply, PyBUF_SIMPLE) != 0) {
    Py_DECREF(result);
    return exception_reply(out_len, ret_code);
  }
  out = text_reply(static_cast<const char *>(reply.buf), static_cast<size_t>(reply.len), code,
                   out_len, ret_code);
  PyBuffer_Release(&reply);
  Py_DECREF(result);
  return out;
}

// The Python dispatcher: every command, and every call the C code declines.
void *dispatch_reply(long long request, void *in_data, long long in_len, long long *out_len,
                     long long *ret_code) {
  if (g_dispatch == nullptr) {
    static const char text[] = "goray: no dispatcher installed";
    return text_reply(text, sizeof text - 1, 1, out_len, ret_code);
  }
  PyObject *data;
  if (in_len > 0 && in_data != nullptr) {
    // The library's buffer, valid during this call only; handlers keep no reference.
    data = PyMemoryView_FromMemory(static_cast<char *>(in_data), static_cast<Py_ssize_t>(in_len),
                                   PyBUF_READ);
  } else {
    data = Py_NewRef(g_empty);
  }
  if (data == nullptr) return exception_reply(out_len, ret_code);
  PyObject *request_object = PyLong_FromLongLong(request);
  if (request_object == nullptr) {
    Py_DECREF(data);
    return exception_reply(out_len, ret_code);
  }
  PyObject *call_args[2] = {request_object, data};
  PyObject *result = PyObject_Vectorcall(g_dispatch, call_args, 2, nullptr);
  Py_DECREF(request_object);
  Py_DECREF(data);
  return python_reply(result, out_len, ret_code);
}

// -- The call target cache: a call's JSON unit, parsed once.

// What _handlers._fast_target made of a JSON unit: a pure function of its bytes, so
// it never goes stale. The live target (the registered function, the instance) is
// looked up on every call in the same tables the Python handlers read.
struct Target {
  std::string key;
  bool usable = false;        // false: this call always goes to the dispatcher
  PyObject *text = nullptr;   // cmd 0: function name; 1: source; 3: method name
  PyObject *imported_key = nullptr;  // cmd 0: (name, False), the _imported key
  PyObject *instance_id = nullptr;   // cmd 3
#ifdef GORAY_DICT_VERSIONS
  // cmd 0: the function the registry tables gave at these versions of theirs.
  PyObject *function = nullptr;
  uint64_t functions_version = 0;
  uint64_t imported_version = 0;
#endif
  ~Target() {
    Py_XDECREF(text);
    Py_XDECREF(imported_key);
    Py_XDECREF(instance_id);
#ifdef GORAY_DICT_VERSIONS
    Py_XDECREF(function);
#endif
  }
};

// One table per command; touched only with the GIL held. Never destroyed: static
// destructors run after the interpreter is gone, too late to release the objects.
using TargetTable = std::unordered_map<std::string_view, std::unique_ptr<Target>>;
TargetTable *const g_targets = new TargetTable[4];
constexpr size_t kTargetLimit = 4096;
// The target each command used last (the same JSON repeats call after call): one
// memcmp instead of hashing the key. Reset whenever a table is cleared.
Target *g_last_target[4] = {};
// Bumped whenever the tables are cleared: a Target* kept across Python code (which may
// clear them) is used only while the generation is unchanged.
uint64_t g_targets_generation = 0;

void clear_targets() {
  ++g_targets_generation;
  for (int cmd = 0; cmd < 4; ++cmd) {
    g_last_target[cmd] = nullptr;
    g_targets[cmd].clear();
  }
}

// The call's own references to a target's parts (the table may change during the call).
struct CallTarget {
  Target *cached = nullptr;  // valid while g_targets_generation == generation
  uint64_t generation = 0;
  PyObject *text = nullptr;
  PyObject *imported_key = nullptr;
  PyObject *instance_id = nullptr;
  ~CallTarget() {
    Py_XDECREF(text);
    Py_XDECREF(imported_key);
    Py_XDECREF(instance_id);
  }
};

// Fills `call` from the cached target of `json` for command `cmd`, parsing it on first
// sight. False: the call goes to the dispatcher.
bool find_target(int cmd, const char *json, size_t json_size, CallTarget &call) {
  auto &table = g_targets[cmd];
  std::string_view key(json, json_size);
  Target *target = g_last_target[cmd];
  if (target != nullptr && target->key == key) {
    // the last one
  } else if (auto found = table.find(key); found != table.end()) {
    target = found->second.get();
    g_last_target[cmd] = target;
  } else {
    PyObject *bytes = PyBytes_FromStringAndSize(json, static_cast<Py_ssize_t>(json_size));
    if (bytes == nullptr) {
      PyErr_Clear();
      return false;
    }
    PyObject *spec = PyObject_CallFunction(g_resolve, "iO", cmd, bytes);
    Py_DECREF(bytes);
    if (spec == nullptr) {
      PyErr_Clear();
      return false;
    }
    std::unique_ptr<Target> made;
    try {
      made = std::make_unique<Target>();
      made->key.assign(json, json_size);
    } catch (...) {
      Py_DECREF(spec);
      return false;
    }
    if (PyTuple_CheckExact(spec)) {
      Py_ssize_t size = PyTuple_GET_SIZE(spec);
      if (cmd == 0 && size == 2) {
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->imported_key = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        made->usable = PyUnicode_CheckExact(made->text);
      } else if (cmd == 1 && size == 1) {
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->usable = PyUnicode_CheckExact(made->text);
      } else if (cmd == 3 && size == 2) {
        made->instance_id = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        made->usable = PyLong_CheckExact(made->instance_id) && PyUnicode_CheckExact(made->text);
      }
    }
    Py_DECREF(spec);
    // A parallel call may have cached the same bytes meanwhile (the resolver ran
    // Python code): both results are the same, keep the first.
    if (auto again = table.find(key); again != table.end()) {
      target = again->second.get();
    } else {
      if (table.size() >= kTargetLimit) clear_targets();
      target = made.get();
      try {
        table.emplace(std::string_view(target->key), std::move(made));
      } catch (...) {
        return false;
      }
    }
    g_last_target[cmd] = target;
  }
  if (!target->usable) return false;
  call.cached = target;
  call.generation = g_targets_generation;
  call.text = Py_XNewRef(target->text);
  call.imported_key = Py_XNewRef(target->imported_key);
  call.instance_id = Py_XNewRef(target->instance_id);
  return true;
}

// The stock handler of `cmd` is installed (a replaced handler gets every call).
bool lookup_stock_handler(int cmd) {
  PyObject *handler = PyDict_GetItemWithError(g_handler_table, g_command_keys[cmd]);
  if (handler == nullptr) PyErr_Clear();
  return handler != nullptr && handler == g_stock[cmd];
}

#ifdef GORAY_DICT_VERSIONS
struct {
  bool valid = false;
  uint64_t version = 0;
  bool stock[4] = {};
} g_stock_seen;  // the handler table at a version of its
#endif

bool stock_handler(int cmd) {
#ifdef GORAY_DICT_VERSIONS
  uint64_t version = dict_version(g_handler_table);
  if (!g_stock_seen.valid || g_stock_seen.version != version) {
    for (int command : {0, 1, 3}) g_stock_seen.stock[command] = lookup_stock_handler(command);
    g_stock_seen.version = version;
    g_stock_seen.valid = true;
  }
  return g_stock_seen.stock[cmd];
#else
  return lookup_stock_handler(cmd);
#endif
}

// _registry.find_function's answer when it is a known plain Python function (a new
// reference), else NULL: registered, else resolved by import before.
PyObject *registered_function(const CallTarget &target) {
#ifdef GORAY_DICT_VERSIONS
  Target *cached = target.generation == g_targets_generation ? target.cached : nullptr;
  uint64_t functions_version = dict_version(g_functions);
  uint64_t imported_version = dict_version(g_imported);
  if (cached != nullptr && cached->function != nullptr &&
      cached->functions_version == functions_version &&
      cached->imported_version == imported_version) {
    return Py_NewRef(cached->function);
  }
#endif
  PyObject *function = PyDict_GetItemWithError(g_functions, target.text);
  if (function == nullptr) {
    if (PyErr_Occurred()) PyErr_Clear();
    function = PyDict_GetItemWithError(g_imported, target.imported_key);
    if (function == nullptr) {
      PyErr_Clear();
      return nullptr;  // unknown or not imported yet: the Python way
    }
  }
  if (!PyFunction_Check(function)) return nullptr;
#ifdef GORAY_DICT_VERSIONS
  if (cached != nullptr) {
    Py_XSETREF(cached->function, Py_NewRef(function));
    cached->functions_version = functions_version;
    cached->imported_version = imported_version;
  }
#endif
  return Py_NewRef(function);
}

bool native2py_ready() {
  return g_handler_table != nullptr && g_resolve != nullptr && g_functions != nullptr &&
         g_imported != nullptr && g_instances != nullptr && g_pack_result != nullptr &&
         g_run_py_code != nullptr && g_error_text != nullptr;
}

// Splits a call payload: the first two units (args block, JSON). Every unit must be
// well formed, as _protocol.unpack_units requires. False: not a call payload.
bool split_call_payload(const char *data, size_t size, const char **args, size_t *args_size,
                        const char **json, size_t *json_size) {
  size_t offset = 0;
  size_t count = 0;
  while (offset < size) {
    if (size - offset < 8) return false;
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) {
      length = (length << 8) | static_cast<unsigned char>(data[offset + static_cast<size_t>(i)]);
    }
    offset += 8;
    if (length > size - offset) return false;
    if (count == 0) {
      *args = data + offset;
      *args_size = static_cast<size_t>(length);
    } else if (count == 1) {
      *json = data + offset;
      *json_size = static_cast<size_t>(length);
    }
    ++count;
    offset += static_cast<size_t>(length);
  }
  return count >= 2;
}

// Outcome of serving a call in C.
enum class Served { kReply, kDecline };

// The reply for the result of a user call: msgpack packed here, or by _pack_result
// (its TypeError text included) when this code does not pack it exactly.
// Steals `result`. `callee` builds the callee name for _pack_result.
template <class Callee>
void *result_reply(PyObject *result, Callee callee, long long *out_len, long long *ret_code) {
  Buffer buffer;
  bool packed = false;
  try {
    Packer packer(buffer);
    packed = pack_object(packer, buffer, result, 0);
  } catch (...) {
    PyErr_Clear();
    packed = false;
  }
  if (packed) {
    Py_DECREF(result);
    size_t size = buffer.size();
    void *out = buffer.release();
    if (out == nullptr) {  // out of memory: the library reports code 1
      *out_len = 0;
      *ret_code = 1;
      return nullptr;
    }
    *out_len = static_cast<long long>(size);
    *ret_code = 0;
    return out;
  }
  ++g_counters.native2py_result_fallback;
  PyObject *name = callee();
  if (name == nullptr) {
    Py_DECREF(result);
    return exception_reply(out_len, ret_code);
  }
  PyObject *call_args[2] = {result, name};
  PyObject *bytes = PyObject_Vectorcall(g_pack_result, call_args, 2, nullptr);
  Py_DECREF(result);
  Py_DECREF(name);
  if (bytes == nullptr) return exception_reply(out_len, ret_code);
  if (!PyBytes_Check(bytes)) {
    Py_DECREF(bytes);
    PyErr_SetString(PyExc_TypeError, "_pack_result must return bytes");
    return exception_reply(out_len, ret_code);
  }
  void *out = text_reply(PyBytes_AS_STRING(bytes), static_cast<size_t>(PyBytes_GET_SIZE(bytes)), 0,
                         out_len, ret_code);
  Py_DECREF(bytes);
  return out;
}

// Commands 0 and 3 for an ordinary call: the target is a plain Python function (or a
// method that is one), the args block and the result are msgpack handled exactly
// here. Declines, having run no user code, whenever the Python handler could behave
// differently; the dispatcher then does the whole call.
Served serve_call(int cmd, const char *in_data, size_t in_len, long long *out_len,
                  long long *ret_code, void **out) {
  const char *args_block = nullptr;
  const char *json = nullptr;
  size_t args_size = 0;
  size_t json_size = 0;
  if (!split_call_payload(in_data, in_len, &args_block, &args_size, &json, &json_size)) {
    return Served::kDecline;
  }
  if (!stock_handler(cmd)) return Served::kDecline;
  CallTarget target;
  if (!find_target(cmd, json, json_size, target)) return Served::kDecline;

  // Arguments first, as the Python handler decodes them before any lookup. Slot 0
  // is for `self` (cmd 3) or PY_VECTORCALL_ARGUMENTS_OFFSET's scratch (cmd 0).
  ObjectList args;
  try {
    args.push(nullptr);
  } catch (...) {
    return Served::kDecline;
  }
  if (!decode_block(args_block, args_size, args)) return Served::kDecline;
  size_t nargs = args.size() - 1;

  if (cmd == 1) {  // ExePyCode: _run_py_code(source, [args]) does the rest
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(nargs));
    if (list == nullptr) {
      PyErr_Clear();
      return Served::kDecline;
    }
    for (size_t i = 0; i < nargs; ++i) {
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), Py_NewRef(args[i + 1]));
    }
    ++g_counters.native2py_code;
    PyObject *call_args[2] = {target.text, list};
    PyObject *bytes = PyObject_Vectorcall(g_run_py_code, call_args, 2, nullptr);
    Py_DECREF(list);
    if (bytes == nullptr) {
      *out = exception_reply(out_len, ret_code);
    } else if (!PyBytes_Check(bytes)) {
      Py_DECREF(bytes);
      PyErr_SetString(PyExc_TypeError, "_run_py_code must return bytes");
      *out = exception_reply(out_len, ret_code);
    } else {
      *out = text_reply(PyBytes_AS_STRING(bytes), static_cast<size_t>(PyBytes_GET_SIZE(bytes)), 0,
                        out_len, ret_code);
      Py_DECREF(bytes);
    }
    return Served::kReply;
  }

  PyObject *function;  // a plain Python function (a new reference)
  PyObject *instance = nullptr;
  if (cmd == 0) {
    function = registered_function(target);
    if (function == nullptr) return Served::kDecline;
  } else {
    // _handlers._local_method_call: _instances.get(id), then getattr(instance, name)
    // for a name not starting with "__". Only plain functions found on the type by
    // generic attribute lookup are called here (no __getattr__, properties or
    // descriptors run twice if the call then declines).
    PyObject *method_name = target.text;
    if (PyUnicode_GET_LENGTH(method_name) >= 2 && PyUnicode_READ_CHAR(method_name, 0) == '_' &&
        PyUnicode_READ_CHAR(method_name, 1) == '_') {
      return Served::kDecline;
    }
    instance = PyDict_GetItemWithError(g_instances, target.instance_id);
    if (instance == nullptr) {
      PyErr_Clear();
      return Served::kDecline;
    }
    PyTypeObject *type = Py_TYPE(instance);
    if (type->tp_getattro != PyObject_GenericGetAttr) return Served::kDecline;
    PyObject *on_type = _PyType_Lookup(type, method_name);
    if (on_type == nullptr || !PyFunction_Check(on_type)) return Served::kDecline;
    Py_INCREF(instance);
    Py_INCREF(on_type);
    // The instance's own __dict__ may shadow the method: getattr decides.
    PyObject *bound = PyObject_GetAttr(instance, method_name);
    bool plain = bound != nullptr && PyMethod_Check(bound) &&
                 PyMethod_GET_SELF(bound) == instance && PyMethod_GET_FUNCTION(bound) == on_type;
    Py_XDECREF(bound);
    if (!plain) {
      PyErr_Clear();
      Py_DECREF(instance);
      Py_DECREF(on_type);
      return Served::kDecline;
    }
    function = on_type;
  }

  // The call itself.
  PyObject *result;
  PyObject **call_args = args.data();
  if (instance != nullptr) {
    call_args[0] = instance;  // owned by `args` from here
    result = PyObject_Vectorcall(function, call_args, nargs + 1, nullptr);
  } else {
    result = PyObject_Vectorcall(function, call_args + 1,
                                 nargs | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
  }
  if (result == nullptr) {
    PyObject *exception = take_exception();
    PyObject *traceback = exception != nullptr ? PyException_GetTraceback(exception) : nullptr;
    if (traceback == nullptr) {
      // Raised before the function's frame ran (argument binding, recursion limit):
      // no user code ran, and the Python handler's text names its own frame, so it
      // does the whole call.
      Py_XDECREF(exception);
      Py_DECREF(function);
      return Served::kDecline;
    }
    Py_DECREF(traceback);
    Py_DECREF(function);
    ++g_counters.native2py_fast;
    *out = error_reply(exception, out_len, ret_code);
    return Served::kReply;
  }
  ++g_counters.native2py_fast;
  PyObject *text = target.text;
  if (cmd == 0) {
    Py_DECREF(function);
    *out = result_reply(result, [text] { return Py_NewRef(text); }, out_len, ret_code);
  } else {
    Py_DECREF(function);
    // f"{type(instance).__name__}.{method_name}"
    PyObject *self = instance;
    *out = result_reply(result, [self, text]() -> PyObject * {
      PyObject *type_name = PyObject_GetAttrString(reinterpret_cast<PyObject *>(Py_TYPE(self)),
                                                   "__name__");
      if (type_name == nullptr) return nullptr;
      PyObject *name = PyUnicode_FromFormat("%S.%U", type_name, text);
      Py_DECREF(type_name);
      return name;
    }, out_len, ret_code);
  }
  return Served::kReply;
}

void *handle(long long request, void *in_data, long long in_len, long long *out_len,
             long long *ret_code) {
  if (request == 0 || request == 1 || request == 3) {
    if (in_len > 0 && in_data != nullptr && native2py_ready()) {
      void *out = nullptr;
      Served served;
      try {
        served = serve_call(static_cast<int>(request), static_cast<const char *>(in_data),
                            static_cast<size_t>(in_len), out_len, ret_code, &out);
      } catch (...) {
        PyErr_Clear();
        served = Served::kDecline;
      }
      if (served == Served::kReply) return out;
    }
    ++g_counters.native2py_fallback;
  }
  return dispatch_reply(request, in_data, in_len, out_len, ret_code);
}

// The callback registered with RegisterCallback.
void *goray_callback(long long request, void *in_data, long long in_len, long long *out_len,
                     long long *ret_code) noexcept {
  if (!Py_IsInitialized()) {
    *out_len = 0;
    *ret_code = 1;
    return nullptr;
  }
  // A native thread unknown to Python gets a thread state that it keeps.
  bool fresh = PyGILState_GetThisThreadState() == nullptr;
  PyGILState_STATE gil = PyGILState_Ensure();
  void *out = handle(request, in_data, in_len, out_len, ret_code);
  if (fresh && g_pinned_key_ready && pthread_setspecific(g_pinned_key, PyThreadState_Get()) == 0) {
    PyEval_SaveThread();  // keeps the state; release_pinned deletes it at thread exit
  } else {
    PyGILState_Release(gil);
  }
  return out;
}

// ---- Module functions -----------------------------------------------------------------

void replace(PyObject **slot, PyObject *value) { Py_XSETREF(*slot, Py_XNewRef(value)); }

PyObject *fast_set_dispatcher(PyObject *, PyObject *args) {
  PyObject *dispatch, *error_text;
  if (!PyArg_ParseTuple(args, "OO", &dispatch, &error_text)) return nullptr;
  if (!PyCallable_Check(dispatch) || !PyCallable_Check(error_text)) {
    PyErr_SetString(PyExc_TypeError, "set_dispatcher(dispatch, error_text): callables");
    return nullptr;
  }
  replace(&g_dispatch, dispatch);
  replace(&g_error_text, error_text);
  // The C-served commands stand for this dispatcher's handlers only once
  // set_native2py says which: until then every call goes to `dispatch`.
  Py_CLEAR(g_handler_table);
  Py_RETURN_NONE;
}

PyObject *fast_set_native2py(PyObject *, PyObject *args, PyObject *kwargs) {
  static const char *keywords[] = {"handlers", "stock", "resolve", "functions", "imported",
                                   "instances", "pack_result", "run_py_code", nullptr};
  PyObject *handlers, *stock, *resolve, *functions, *imported, *instances, *pack_result,
      *run_py_code;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!OO!O!O!OO:set_native2py",
                                   const_cast<char **>(keywords), &PyDict_Type, &handlers,
                                   &PyDict_Type, &stock, &resolve, &PyDict_Type, &functions,
                                   &PyDict_Type, &imported, &PyDict_Type, &instances,
                                   &pack_result, &run_py_code)) {
    return nullptr;
  }
  if (!PyCallable_Check(resolve) || !PyCallable_Check(pack_result) ||
      !PyCallable_Check(run_py_code)) {
    PyErr_SetString(PyExc_TypeError, "set_native2py: resolve, pack_result, run_py_code: callables");
    return nullptr;
  }
  PyObject *stock_handlers[4] = {};
  for (int cmd : {0, 1, 3}) {
    PyObject *handler = PyDict_GetItemWithError(stock, g_command_keys[cmd]);
    if (handler == nullptr) {
      if (!PyErr_Occurred()) PyErr_Format(PyExc_KeyError, "stock handler of command %d", cmd);
      return nullptr;
    }
    stock_handlers[cmd] = handler;
  }
  for (int cmd : {0, 1, 3}) replace(&g_stock[cmd], stock_handlers[cmd]);
  replace(&g_handler_table, handlers);
  replace(&g_resolve, resolve);
  replace(&g_functions, functions);
  replace(&g_imported, imported);
  replace(&g_instances, instances);
  replace(&g_pack_result, pack_result);
  replace(&g_run_py_code, run_py_code);
  clear_targets();
#ifdef GORAY_DICT_VERSIONS
  g_stock_seen.valid = false;  // the stock handlers may have changed, not the table
#endif
  Py_RETURN_NONE;
}

PyObject *fast_set_commands(PyObject *, PyObject *args) {
  long long run_task, actor_call;
  int arrays = 0;
  if (!PyArg_ParseTuple(args, "LL|p:set_commands", &run_task, &actor_call, &arrays)) return nullptr;
  if (run_task < 0 || run_task >= 1024 || actor_call < 0 || actor_call >= 1024) {
    PyErr_SetString(PyExc_ValueError, "set_commands: commands are 0..1023");
    return nullptr;
  }
  g_run_task_command = run_task;
  g_actor_call_command = static_cast<unsigned long long>(actor_call);
  g_arrays_enabled = arrays != 0;
  Py_RETURN_NONE;
}

PyObject *fast_set_inline_decoder(PyObject *, PyObject *decoder) {
  if (!PyCallable_Check(decoder)) {
    PyErr_SetString(PyExc_TypeError, "set_inline_decoder(decode_inline): a callable");
    return nullptr;
  }
  Py_XSETREF(g_decode_inline, Py_NewRef(decoder));
  Py_RETURN_NONE;
}

PyObject *fast_set_py2native(PyObject *, PyObject *args) {
  PyObject *run_task, *error_from_reply, *unpack_result;
  if (!PyArg_ParseTuple(args, "OOO:set_py2native", &run_task, &error_from_reply, &unpack_result)) {
    return nullptr;
  }
  if (!PyCallable_Check(run_task) || !PyCallable_Check(error_from_reply) ||
      !PyCallable_Check(unpack_result)) {
    PyErr_SetString(PyExc_TypeError, "set_py2native(run_task, error_from_reply, "
                                     "unpack_result_block): callables");
    return nullptr;
  }
  replace(&g_run_task_python, run_task);
  replace(&g_error_from_reply, error_from_reply);
  replace(&g_unpack_result, unpack_result);
  Py_RETURN_NONE;
}

PyObject *fast_callback_address(PyObject *, PyObject *) {
  return PyLong_FromVoidPtr(reinterpret_cast<void *>(&goray_callback));
}

PyObject *fast_counters(PyObject *, PyObject *) {
  return Py_BuildValue(
      "{sKsKsKsKsKsKsK}", "native2py_fast", g_counters.native2py_fast, "native2py_code",
      g_counters.native2py_code, "native2py_fallback", g_counters.native2py_fallback,
      "native2py_result_fallback", g_counters.native2py_result_fallback, "py2native_fast",
      g_counters.py2native_fast, "py2native_fallback", g_counters.py2native_fallback,
      "py2native_result_fallback", g_counters.py2native_result_fallback);
}

PyObject *fast_cache_info(PyObject *, PyObject *) {
  return Py_BuildValue("{snsnsn}", "0", static_cast<Py_ssize_t>(g_targets[0].size()), "1",
                       static_cast<Py_ssize_t>(g_targets[1].size()), "3",
                       static_cast<Py_ssize_t>(g_targets[3].size()));
}

PyObject *fast_cache_clear(PyObject *, PyObject *) {
  clear_targets();
  Py_RETURN_NONE;
}

// pack(value) -> bytes, or None when the C packer leaves it to goray._codec.
PyObject *fast_pack(PyObject *, PyObject *value) {
  Buffer buffer;
  bool packed;
  try {
    Packer packer(buffer);
    packed = pack_object(packer, buffer, value, 0);
  } catch (...) {
    PyErr_Clear();
    packed = false;
  }
  if (!packed) Py_RETURN_NONE;
  return PyBytes_FromStringAndSize(buffer.data(), static_cast<Py_ssize_t>(buffer.size()));
}

// unpack_values(data) -> list, or None when the C parser leaves it to goray._codec.
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

// ---- ObjectRefs and actor handles inside values ------------------------------------

// Bytes a msgpack item takes after its first byte, its payload included (0 for a
// container's header: its elements follow as items of their own); -1 for 0xc1 (never
// used) and when the length bytes run past `end`.
int64_t item_rest(const unsigned char *at, const unsigned char *end) {
  unsigned char marker = *at;
  if (marker <= 0x7f || marker >= 0xe0 || (marker >= 0x80 && marker <= 0x9f)) return 0;
  if (marker <= 0xbf) return marker & 0x1f;  // fixstr
  auto length = [&](int width, int extra) -> int64_t {
    if (end - at < 1 + width) return -1;
    uint64_t size = 0;
    for (int i = 1; i <= width; ++i) size = size << 8 | at[i];
    return static_cast<int64_t>(width + extra + size);
  };
  switch (marker) {
    case 0xc0: case 0xc2: case 0xc3: return 0;
    case 0xc4: case 0xd9: return length(1, 0);  // bin 8, str 8
    case 0xc5: case 0xda: return length(2, 0);
    case 0xc6: case 0xdb: return length(4, 0);
    case 0xc7: return length(1, 1);  // ext 8/16/32: the type byte too
    case 0xc8: return length(2, 1);
    case 0xc9: return length(4, 1);
    case 0xca: return 4;
    case 0xcb: return 8;
    case 0xcc: case 0xd0: return 1;
    case 0xcd: case 0xd1: return 2;
    case 0xce: case 0xd2: return 4;
    case 0xcf: case 0xd3: return 8;
    case 0xd4: return 2;  // fixext 1/2/4/8/16: the type byte and the payload
    case 0xd5: return 3;
    case 0xd6: return 5;
    case 0xd7: return 9;
    case 0xd8: return 17;
    case 0xdc: case 0xde: return 2;  // array 16, map 16
    case 0xdd: case 0xdf: return 4;
    default: return -1;  // 0xc1
  }
}

// find_ref_exts(data) -> [(offset, type)]: where the 8-byte payloads of the fixext 8
// items of type 73 (ObjectRef) and 74 (ActorHandle) start, in order. Items are
// stepped over by their headers (str, bin and ext payloads skipped by length, so
// bytes that look like an ext inside them are never taken for one); the walk stops
// at the first item that is invalid or runs past the end (what follows is left to
// the decoder, which reports it). goray._codec._walk_ref_exts is the same in Python.
PyObject *fast_find_ref_exts(PyObject *, PyObject *data) {
  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return nullptr;
  PyObject *found = PyList_New(0);
  if (found == nullptr) {
    PyBuffer_Release(&view);
    return nullptr;
  }
  const unsigned char *begin = static_cast<const unsigned char *>(view.buf);
  const unsigned char *end = begin + view.len;
  const unsigned char *at = begin;
  while (at < end) {
    int64_t rest = item_rest(at, end);
    if (rest < 0 || rest >= end - at) break;
    if (*at == 0xd7 && (at[1] == 73 || at[1] == 74)) {
      PyObject *site = Py_BuildValue("(ni)", static_cast<Py_ssize_t>(at + 2 - begin),
                                     static_cast<int>(at[1]));
      if (site == nullptr || PyList_Append(found, site) != 0) {
        Py_XDECREF(site);
        Py_DECREF(found);
        PyBuffer_Release(&view);
        return nullptr;
      }
      Py_DECREF(site);
    }
    at += 1 + rest;
  }
  PyBuffer_Release(&view);
  return found;
}

PyMethodDef kMethods[] = {
    {"bind", fast_bind, METH_VARARGS,
     "bind(execute_address, free_address): the library's Execute and FreeMemory."},
    {"execute", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_execute)),
     METH_FASTCALL, "execute(request, payload) -> (code, bytes): Execute with the GIL released."},
    {"execute_decoded",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_execute_decoded)),
     METH_FASTCALL,
     "execute_decoded(request, payload, decode) -> (code, value): value = decode(view of the "
     "output) on code 0, read before the output is freed; else a copy of the output."},
    {"execute_view",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_execute_view)),
     METH_FASTCALL,
     "execute_view(request, payload, copy_below) -> (code, memoryview): an output of\n"
     "copy_below bytes or more stays in the library's buffer (freed with its last view)."},
    {"golang_local_run_task",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_run_task)),
     METH_FASTCALL | METH_KEYWORDS,
     "golang_local_run_task($module, name, /, *args)\n--\n\n"
     "Runs a native task in this process and returns its result: None for no\n"
     "value, the value for one, a list for several."},
    {"actor_call", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_actor_call)),
     METH_FASTCALL,
     "actor_call(index, method, args, type_name) -> the result, or FALLBACK: the call\n"
     "goes the Python way (nothing was sent)."},
    {"set_dispatcher", fast_set_dispatcher, METH_VARARGS,
     "set_dispatcher(dispatch, error_text): what the callback calls."},
    {"set_native2py",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fast_set_native2py)),
     METH_VARARGS | METH_KEYWORDS,
     "set_native2py(handlers, stock, resolve, functions, imported, instances, pack_result,\n"
     "run_py_code): the tables and helpers of the Native2Py commands served in C."},
    {"set_commands", fast_set_commands, METH_VARARGS,
     "set_commands(run_task, actor_call, arrays=False): the Py2Native commands of "
     "golang_local_run_task and actor_call (4 and 6, or 34 and 35 once the library speaks "
     "arrays), and whether ndarray arguments go by address (ext 72)."},
    {"set_inline_decoder", fast_set_inline_decoder, METH_O,
     "set_inline_decoder(decode_inline): ext 71 payload -> ndarray, for the values decoded "
     "here (while NumPy is imported)."},
    {"set_py2native", fast_set_py2native, METH_VARARGS,
     "set_py2native(run_task, error_from_reply, unpack_result_block): the Python code the\n"
     "Py2Native entry points fall back to."},
    {"callback_address", fast_callback_address, METH_NOARGS,
     "callback_address() -> int: the C callback to pass to RegisterCallback."},
    {"counters", fast_counters, METH_NOARGS,
     "counters() -> dict: how many calls went the C way and how many fell back."},
    {"cache_info", fast_cache_info, METH_NOARGS,
     "cache_info() -> dict: entries of the call target cache per command."},
    {"cache_clear", fast_cache_clear, METH_NOARGS, "cache_clear(): empties the call target cache."},
    {"pack", fast_pack, METH_O,
     "pack(value) -> bytes or None: the C packer (None: left to goray._codec)."},
    {"find_ref_exts", fast_find_ref_exts, METH_O,
     "find_ref_exts(data) -> [(offset, type)]: the payloads of the ext 73/74 (fixext 8)\n"
     "items of concatenated msgpack values, up to the first invalid or truncated item."},
    {"unpack_values", fast_unpack_values, METH_O,
     "unpack_values(data) -> list or None: the C parser (None: left to goray._codec)."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef kModule = {
    PyModuleDef_HEAD_INIT,
    "goray._fastpath",
    "The goray C ABI without ctypes' per-call cost, and the in-process hot paths in C++ "
    "(see goray._ffi).",
    -1,
    kMethods,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

PyMODINIT_FUNC PyInit__fastpath(void) {
  if (!g_pinned_key_ready) {
    if (pthread_key_create(&g_pinned_key, release_pinned) == 0) g_pinned_key_ready = true;
  }
  if (g_empty == nullptr) {
    g_empty = PyBytes_FromStringAndSize(nullptr, 0);
    if (g_empty == nullptr) return nullptr;
  }
  for (int cmd = 0; cmd < 4; ++cmd) {
    if (g_command_keys[cmd] == nullptr) {
      g_command_keys[cmd] = PyLong_FromLong(cmd);
      if (g_command_keys[cmd] == nullptr) return nullptr;
    }
  }
  if (g_owned_output_type == nullptr) {
    g_owned_output_type = PyType_FromSpec(&kOwnedOutputSpec);
    if (g_owned_output_type == nullptr) return nullptr;
  }
  PyObject *module = PyModule_Create(&kModule);
  if (module == nullptr) return nullptr;
  if (g_fallback == nullptr) {
    // A unique object: `actor_call(...) is FALLBACK`.
    g_fallback = PyObject_CallNoArgs(reinterpret_cast<PyObject *>(&PyBaseObject_Type));
    if (g_fallback == nullptr) {
      Py_DECREF(module);
      return nullptr;
    }
  }
  if (PyModule_AddObject(module, "FALLBACK", Py_NewRef(g_fallback)) != 0) {
    Py_DECREF(g_fallback);
    Py_DECREF(module);
    return nullptr;
  }
  return module;
}
