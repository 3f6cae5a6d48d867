// The Native2Py callback (see native2py.h).
#include "native2py.h"

#include "buffer.h"
#include "counters.h"
#include "object_list.h"
#include "pack.h"
#include "replies.h"
#include "tables.h"
#include "targets.h"
#include "thread_states.h"
#include "unpack.h"

namespace goray::fastpath {
namespace {

PyObject *g_pack_result = nullptr;  // _handlers._pack_result(value, callee) -> bytes
PyObject *g_run_py_code = nullptr;  // _handlers._run_py_code(source, args) -> bytes
// set_native2py came after set_dispatcher: the tables and helpers are those of the
// installed dispatcher's handlers. One flag, read on every call.
bool g_ready = false;

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
      *ret_code = detail::kFailed;
      return nullptr;
    }
    *out_len = static_cast<long long>(size);
    *ret_code = 0;
    return out;
  }
  ++g_counters.native2py_result_fallback;
  PyObject *bytes = call_owned(g_pack_result, result, callee());
  return bytes_reply(bytes, "_pack_result", out_len, ret_code);
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

  if (cmd == detail::kExePyCode) {  // _run_py_code(source, [args]) does the rest
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(nargs));
    if (list == nullptr) {
      PyErr_Clear();
      return Served::kDecline;
    }
    for (size_t i = 0; i < nargs; ++i) {
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), Py_NewRef(args[i + 1]));
    }
    ++g_counters.native2py_code;
    PyObject *bytes = call_owned(g_run_py_code, Py_NewRef(target.text), list);
    *out = bytes_reply(bytes, "_run_py_code", out_len, ret_code);
    return Served::kReply;
  }

  PyObject *function;  // a plain Python function (a new reference)
  PyObject *instance = nullptr;
  if (cmd == detail::kExePythonLocalTask) {
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
    instance = local_instance(target.instance_id);
    if (instance == nullptr) return Served::kDecline;
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
  if (cmd == detail::kExePythonLocalTask) {
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
  if (is_served_command(request)) {
    if (in_len > 0 && in_data != nullptr && g_ready) {
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
  CallbackGil gil;
  if (gil.refused()) {  // the interpreter is exiting (thread_states.h)
    *out_len = 0;
    *ret_code = detail::kFailed;
    return nullptr;
  }
  return handle(request, in_data, in_len, out_len, ret_code);
}

}  // namespace

PyObject *fast_callback_address(PyObject *, PyObject *) {
  return PyLong_FromVoidPtr(reinterpret_cast<void *>(&goray_callback));
}

PyObject *fast_set_dispatcher(PyObject *, PyObject *args) {
  PyObject *dispatch, *error_reply;
  if (!PyArg_ParseTuple(args, "OO", &dispatch, &error_reply)) return nullptr;
  if (!PyCallable_Check(dispatch) || !PyCallable_Check(error_reply)) {
    PyErr_SetString(PyExc_TypeError, "set_dispatcher(dispatch, error_reply): callables");
    return nullptr;
  }
  set_python_replies(dispatch, error_reply);
  // The C-served commands stand for this dispatcher's handlers only once
  // set_native2py says which: until then every call goes to `dispatch`.
  g_ready = false;
  forget_handler_table();
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
  if (!set_tables(handlers, stock, functions, imported, instances)) return nullptr;
  set_resolver(resolve);
  replace(&g_pack_result, pack_result);
  replace(&g_run_py_code, run_py_code);
  clear_targets();
  g_ready = python_replies_set();
  Py_RETURN_NONE;
}

}  // namespace goray::fastpath
