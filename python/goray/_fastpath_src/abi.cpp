// The library's C ABI (see abi.h).
#include "abi.h"

namespace goray::fastpath {

ExecuteFn g_execute = nullptr;
FreeMemoryFn g_free = nullptr;
char g_empty_input[1];

namespace {

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

}  // namespace

bool abi_init() {
  if (g_owned_output_type == nullptr) {
    g_owned_output_type = PyType_FromSpec(&kOwnedOutputSpec);
    if (g_owned_output_type == nullptr) return false;
  }
  return true;
}

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
      // A view that escaped would point at freed memory: cut it off first. The decode's
      // own exception (a KeyboardInterrupt, say) is set aside meanwhile, so it leaves as
      // itself rather than as the SystemError of a call made with an exception set.
      PyObject *type, *error, *traceback;
      PyErr_Fetch(&type, &error, &traceback);
      PyObject *released = PyObject_CallMethod(view, "release", nullptr);
      if (released == nullptr && value != nullptr) Py_CLEAR(value);
      Py_XDECREF(released);
      Py_DECREF(view);
      if (type != nullptr) {
        if (released == nullptr) PyErr_Clear();  // the decode's error is the one to report
        PyErr_Restore(type, error, traceback);
      }
    }
  }
  if (out != nullptr) g_free(out);
  if (value == nullptr) return nullptr;
  return Py_BuildValue("(LN)", code, value);
}

}  // namespace goray::fastpath
