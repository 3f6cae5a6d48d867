// NumPy arrays in values (see arrays.h).
#include "arrays.h"

#include "pack.h"

namespace goray::fastpath {

bool g_arrays_enabled = false;

namespace {

// goray._arrays.decode_inline (set_inline_decoder), once the library speaks arrays.
PyObject *g_decode_inline = nullptr;

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

}  // namespace

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
  if (kind == 0 || view.ndim > static_cast<int>(goray::detail::kMaxArrayDims)) return false;
  const uint64_t head = goray::detail::kArrayHeadBytes + goray::detail::kArrayExtentBytes * static_cast<uint64_t>(view.ndim);
  const uint64_t nbytes = static_cast<uint64_t>(view.len);
  uint64_t pad = 0;
  size_t header = 0;
  for (int i = 0; i < 4; ++i) {
    header = ext_header_size(head + pad + nbytes);
    constexpr size_t kAlign = goray::detail::kArrayDataAlign;
    pad = (kAlign - (buffer.size() + header + head) % kAlign) % kAlign;
    if (ext_header_size(head + pad + nbytes) == header) break;
  }
  const uint64_t length = head + pad + nbytes;
  if (length > UINT32_MAX) return false;  // the Python code names the limit
  buffer.reserve(header + static_cast<size_t>(length));
  packer.pack_ext(static_cast<size_t>(length), codec::detail::kExtArrayInline);
  char bytes[goray::detail::kArrayHeadBytes + goray::detail::kArrayExtentBytes * goray::detail::kMaxArrayDims +
             goray::detail::kArrayDataAlign] = {};
  bytes[0] = kind;
  bytes[1] = static_cast<char>(view.itemsize);
  bytes[2] = static_cast<char>(view.ndim);
  bytes[3] = static_cast<char>(pad);
  size_t at = goray::detail::kArrayHeadBytes;
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
  if (kind == 0 || view->ndim > static_cast<int>(goray::detail::kMaxArrayDims) ||
      reinterpret_cast<uintptr_t>(view->buf) % (align == 0 ? 1 : align) != 0) {
    return false;  // the pin is released with the others
  }
  char payload[goray::detail::kArrayHeadBytes + goray::detail::kArrayExtentBytes * goray::detail::kMaxArrayDims +
               goray::detail::kArrayAddressBytes];
  const int ndim = view->ndim;
  payload[0] = kind;
  payload[1] = static_cast<char>(view->itemsize);
  payload[2] = static_cast<char>(ndim);
  payload[3] = static_cast<char>(codec::detail::kArrayBorrowed);
  size_t at = goray::detail::kArrayHeadBytes;
  auto put = [&](uint64_t number) {
    for (int i = 0; i < 8; ++i) payload[at++] = static_cast<char>((number >> (8 * i)) & 0xff);
  };
  for (int i = 0; i < ndim; ++i) put(static_cast<uint64_t>(view->shape[i]));
  put(reinterpret_cast<uintptr_t>(view->buf));
  put(0);  // token
  packer.pack_ext(at, codec::detail::kExtArrayAddress);
  packer.pack_ext_body(payload, static_cast<uint32_t>(at));
  return true;
}

bool inline_arrays_decodable() {
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

PyObject *decode_inline_array(const char *payload, size_t size) {
  PyObject *bytes = PyBytes_FromStringAndSize(payload, static_cast<Py_ssize_t>(size));
  if (bytes == nullptr) return nullptr;
  PyObject *array = PyObject_CallOneArg(g_decode_inline, bytes);
  Py_DECREF(bytes);
  return array;
}

PyObject *fast_set_inline_decoder(PyObject *, PyObject *decoder) {
  if (!PyCallable_Check(decoder)) {
    PyErr_SetString(PyExc_TypeError, "set_inline_decoder(decode_inline): a callable");
    return nullptr;
  }
  Py_XSETREF(g_decode_inline, Py_NewRef(decoder));
  Py_RETURN_NONE;
}

}  // namespace goray::fastpath
