// What went which way (see counters.h).
#include "counters.h"

namespace goray::fastpath {

Counters g_counters;

PyObject *fast_counters(PyObject *, PyObject *) {
  return Py_BuildValue(
      "{sKsKsKsKsKsKsK}", "native2py_fast", g_counters.native2py_fast, "native2py_code",
      g_counters.native2py_code, "native2py_fallback", g_counters.native2py_fallback,
      "native2py_result_fallback", g_counters.native2py_result_fallback, "py2native_fast",
      g_counters.py2native_fast, "py2native_codec_args", g_counters.py2native_codec_args,
      "py2native_codec_result", g_counters.py2native_codec_result);
}

}  // namespace goray::fastpath
