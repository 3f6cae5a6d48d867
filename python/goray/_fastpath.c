/* goray._fastpath: the C ABI of protocol.md section 1 without ctypes' per-call cost.
 *
 * _ffi.py loads the library with ctypes (dlopen, symbol lookup) and, when this
 * module is importable and GORAY_NO_FASTPATH is unset, hands it the addresses of
 * Execute and FreeMemory and registers `callback_address()` instead of a ctypes
 * callback. Semantics are those of the ctypes path:
 *
 *   execute(request, payload) -> (code, bytes)
 *       Execute with the GIL released; the output is copied, then FreeMemory'd.
 *   the callback
 *       takes the GIL from any thread, passes (request, memoryview of the input)
 *       to the dispatcher set by set_dispatcher, and returns its (code, bytes)
 *       reply malloc'ed; any failure is code 1 with text, never an exception in C.
 *
 * Native threads that call Python keep their Python thread state between calls
 * (creating one per call is most of the cost of a call from a C++ thread); it is
 * deleted when the thread exits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*ExecuteFn)(long long, void *, long long, long long *, long long *);
typedef void (*FreeMemoryFn)(void *);

static ExecuteFn g_execute = NULL;
static FreeMemoryFn g_free = NULL;
static PyObject *g_dispatch = NULL;   /* dispatch(request, data) -> (code, bytes) */
static PyObject *g_error_text = NULL; /* error_text(exception) -> bytes */
static PyObject *g_empty = NULL;      /* b"": the input when there is none */

/* ---- Py2Native ----------------------------------------------------------------- */

static PyObject *fast_bind(PyObject *self, PyObject *args) {
  unsigned long long execute_address, free_address;
  if (!PyArg_ParseTuple(args, "KK", &execute_address, &free_address)) return NULL;
  if (execute_address == 0 || free_address == 0) {
    PyErr_SetString(PyExc_ValueError, "null function address");
    return NULL;
  }
  g_execute = (ExecuteFn)(uintptr_t)execute_address;
  g_free = (FreeMemoryFn)(uintptr_t)free_address;
  Py_RETURN_NONE;
}

static PyObject *fast_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "execute(request, payload)");
    return NULL;
  }
  if (g_execute == NULL) {
    PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: no library bound");
    return NULL;
  }
  long long request = PyLong_AsLongLong(args[0]);
  if (request == -1 && PyErr_Occurred()) return NULL;
  Py_buffer payload;
  if (PyObject_GetBuffer(args[1], &payload, PyBUF_SIMPLE) != 0) return NULL;
  /* Non-NULL even when empty (protocol.md section 1). */
  static char empty_input[1];
  void *in_data = payload.len > 0 ? payload.buf : (void *)empty_input;
  long long out_len = 0;
  long long code = 0;
  void *out;
  Py_BEGIN_ALLOW_THREADS
  out = g_execute(request, in_data, (long long)payload.len, &out_len, &code);
  Py_END_ALLOW_THREADS
  PyBuffer_Release(&payload);
  PyObject *data;
  if (out == NULL) {
    if (out_len != 0) {
      PyErr_Format(PyExc_RuntimeError, "Execute returned NULL with length %lld", out_len);
      return NULL;
    }
    data = PyBytes_FromStringAndSize(NULL, 0);
  } else {
    data = out_len > 0 ? PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)out_len)
                       : PyBytes_FromStringAndSize(NULL, 0);
    g_free(out);
  }
  if (data == NULL) return NULL;
  PyObject *result = Py_BuildValue("(LN)", code, data);
  return result;
}

/* ---- Native2Py ------------------------------------------------------------------ */

/* Thread states of native threads that called Python, deleted at thread exit. */
static pthread_key_t g_pinned_key;
static int g_pinned_key_ready = 0;

static int interpreter_finalizing(void) {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

static void release_pinned(void *value) {
  PyThreadState *state = (PyThreadState *)value;
  if (state == NULL || !Py_IsInitialized() || interpreter_finalizing()) return;
  PyEval_RestoreThread(state);
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
}

/* The pending exception, normalized, with its traceback (NULL if none); clears it. */
static PyObject *PyErr_GetRaisedException_compat(void) {
#if PY_VERSION_HEX >= 0x030C0000
  return PyErr_GetRaisedException();
#else
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (type == NULL) return NULL;
  PyErr_NormalizeException(&type, &value, &traceback);
  if (traceback != NULL && value != NULL) PyException_SetTraceback(value, traceback);
  Py_XDECREF(type);
  Py_XDECREF(traceback);
  return value;
#endif
}

static const char kFallbackError[] = "goray: the Python callback failed";

/* Copies `text` into a malloc'ed reply. */
static void *text_reply(const char *text, size_t size, long long code, long long *out_len,
                        long long *ret_code) {
  void *out = size > 0 ? malloc(size) : NULL;
  if (size > 0 && out == NULL) {
    *out_len = 0;
    *ret_code = 1;
    return NULL;
  }
  if (size > 0) memcpy(out, text, size);
  *out_len = (long long)size;
  *ret_code = code;
  return out;
}

/* The pending Python exception as a code-1 reply (clears it). */
static void *exception_reply(long long *out_len, long long *ret_code) {
  PyObject *exception = PyErr_GetRaisedException_compat();
  void *out = NULL;
  int done = 0;
  if (exception != NULL && g_error_text != NULL) {
    PyObject *text = PyObject_CallOneArg(g_error_text, exception);
    if (text != NULL && PyBytes_Check(text)) {
      out = text_reply(PyBytes_AS_STRING(text), (size_t)PyBytes_GET_SIZE(text), 1, out_len,
                       ret_code);
      done = 1;
    }
    Py_XDECREF(text);
    PyErr_Clear();
  }
  Py_XDECREF(exception);
  if (!done) out = text_reply(kFallbackError, sizeof kFallbackError - 1, 1, out_len, ret_code);
  return out;
}

static void *handle(long long request, void *in_data, long long in_len, long long *out_len,
                    long long *ret_code) {
  if (g_dispatch == NULL) {
    static const char text[] = "goray: no dispatcher installed";
    return text_reply(text, sizeof text - 1, 1, out_len, ret_code);
  }
  PyObject *data;
  if (in_len > 0 && in_data != NULL) {
    /* The library's buffer, valid during this call only; handlers keep no reference. */
    data = PyMemoryView_FromMemory((char *)in_data, (Py_ssize_t)in_len, PyBUF_READ);
  } else {
    data = Py_NewRef(g_empty);
  }
  if (data == NULL) return exception_reply(out_len, ret_code);
  PyObject *request_object = PyLong_FromLongLong(request);
  if (request_object == NULL) {
    Py_DECREF(data);
    return exception_reply(out_len, ret_code);
  }
  PyObject *call_args[2] = {request_object, data};
  PyObject *result = PyObject_Vectorcall(g_dispatch, call_args, 2, NULL);
  Py_DECREF(request_object);
  Py_DECREF(data);
  if (result == NULL) return exception_reply(out_len, ret_code);

  void *out = NULL;
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
  out = text_reply((const char *)reply.buf, (size_t)reply.len, code, out_len, ret_code);
  PyBuffer_Release(&reply);
  Py_DECREF(result);
  return out;
}

/* The callback registered with RegisterCallback. */
static void *goray_callback(long long request, void *in_data, long long in_len,
                            long long *out_len, long long *ret_code) {
  if (!Py_IsInitialized()) {
    *out_len = 0;
    *ret_code = 1;
    return NULL;
  }
  /* A native thread unknown to Python gets a thread state that it keeps. */
  int fresh = PyGILState_GetThisThreadState() == NULL;
  PyGILState_STATE gil = PyGILState_Ensure();
  void *out = handle(request, in_data, in_len, out_len, ret_code);
  if (fresh && g_pinned_key_ready &&
      pthread_setspecific(g_pinned_key, PyThreadState_Get()) == 0) {
    PyEval_SaveThread(); /* keeps the state; release_pinned deletes it at thread exit */
  } else {
    PyGILState_Release(gil);
  }
  return out;
}

static PyObject *fast_set_dispatcher(PyObject *self, PyObject *args) {
  PyObject *dispatch, *error_text;
  if (!PyArg_ParseTuple(args, "OO", &dispatch, &error_text)) return NULL;
  if (!PyCallable_Check(dispatch) || !PyCallable_Check(error_text)) {
    PyErr_SetString(PyExc_TypeError, "set_dispatcher(dispatch, error_text): callables");
    return NULL;
  }
  Py_XSETREF(g_dispatch, Py_NewRef(dispatch));
  Py_XSETREF(g_error_text, Py_NewRef(error_text));
  Py_RETURN_NONE;
}

static PyObject *fast_callback_address(PyObject *self, PyObject *unused) {
  return PyLong_FromVoidPtr((void *)&goray_callback);
}

static PyMethodDef kMethods[] = {
    {"bind", fast_bind, METH_VARARGS,
     "bind(execute_address, free_address): the library's Execute and FreeMemory."},
    {"execute", (PyCFunction)(void (*)(void))fast_execute, METH_FASTCALL,
     "execute(request, payload) -> (code, bytes): Execute with the GIL released."},
    {"set_dispatcher", fast_set_dispatcher, METH_VARARGS,
     "set_dispatcher(dispatch, error_text): what the callback calls."},
    {"callback_address", fast_callback_address, METH_NOARGS,
     "callback_address() -> int: the C callback to pass to RegisterCallback."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kModule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "goray._fastpath",
    .m_doc = "The goray C ABI without ctypes' per-call cost (see goray._ffi).",
    .m_size = -1,
    .m_methods = kMethods,
};

PyMODINIT_FUNC PyInit__fastpath(void) {
  if (!g_pinned_key_ready) {
    if (pthread_key_create(&g_pinned_key, release_pinned) == 0) g_pinned_key_ready = 1;
  }
  if (g_empty == NULL) {
    g_empty = PyBytes_FromStringAndSize(NULL, 0);
    if (g_empty == NULL) return NULL;
  }
  return PyModule_Create(&kModule);
}
