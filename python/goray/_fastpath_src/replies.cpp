// The callback's replies (see replies.h).
#include "replies.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace goray::fastpath {
namespace {

PyObject *g_dispatch = nullptr;     // dispatch(request, data) -> (code, bytes)
PyObject *g_error_reply = nullptr;  // _handlers.error_reply(exception) -> bytes
PyObject *g_empty = nullptr;        // b"": the input when there is none

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

}  // namespace

bool replies_init() {
  if (g_empty == nullptr) {
    g_empty = PyBytes_FromStringAndSize(nullptr, 0);
    if (g_empty == nullptr) return false;
  }
  return true;
}

void set_python_replies(PyObject *dispatch, PyObject *error_reply) {
  replace(&g_dispatch, dispatch);
  replace(&g_error_reply, error_reply);
}

bool python_replies_set() { return g_dispatch != nullptr && g_error_reply != nullptr; }

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

void *text_reply(const char *text, size_t size, long long code, long long *out_len,
                 long long *ret_code) {
  void *out = size > 0 ? std::malloc(size) : nullptr;
  if (size > 0 && out == nullptr) {
    *out_len = 0;
    *ret_code = detail::kFailed;
    return nullptr;
  }
  advise_huge_pages(out, size);  // before the copy faults the pages in
  if (size > 0) std::memcpy(out, text, size);
  *out_len = static_cast<long long>(size);
  *ret_code = code;
  return out;
}

void *error_reply(PyObject *exception, long long *out_len, long long *ret_code) {
  void *out = nullptr;
  bool done = false;
  if (exception != nullptr && g_error_reply != nullptr) {
    PyObject *text = PyObject_CallOneArg(g_error_reply, exception);
    if (text != nullptr && PyBytes_Check(text)) {
      out = text_reply(PyBytes_AS_STRING(text), static_cast<size_t>(PyBytes_GET_SIZE(text)),
                       detail::kFailed, out_len, ret_code);
      done = true;
    }
    Py_XDECREF(text);
    PyErr_Clear();
  }
  Py_XDECREF(exception);
  if (!done) {
    out = text_reply(kFallbackError, sizeof kFallbackError - 1, detail::kFailed, out_len, ret_code);
  }
  return out;
}

void *exception_reply(long long *out_len, long long *ret_code) {
  return error_reply(take_exception(), out_len, ret_code);
}

void *bytes_reply(PyObject *bytes, const char *helper, long long *out_len, long long *ret_code) {
  if (bytes == nullptr) return exception_reply(out_len, ret_code);
  if (!PyBytes_Check(bytes)) {
    Py_DECREF(bytes);
    PyErr_Format(PyExc_TypeError, "%s must return bytes", helper);
    return exception_reply(out_len, ret_code);
  }
  void *out = text_reply(PyBytes_AS_STRING(bytes), static_cast<size_t>(PyBytes_GET_SIZE(bytes)),
                         detail::kSuccess, out_len, ret_code);
  Py_DECREF(bytes);
  return out;
}

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
  PyObject *result = call_owned(g_dispatch, PyLong_FromLongLong(request), data);
  return python_reply(result, out_len, ret_code);
}

}  // namespace goray::fastpath
