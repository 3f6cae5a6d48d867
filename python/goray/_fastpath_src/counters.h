// What went which way: calls served in C, and the parts of calls handed to the Python
// code (tests prove the C paths and the hand-overs with these).
#pragma once

#include "common.h"

namespace goray::fastpath {

struct Counters {
  unsigned long long native2py_fast = 0;      // commands 0/3 served in C
  unsigned long long native2py_code = 0;      // command 1 with args decoded in C
  unsigned long long native2py_fallback = 0;  // commands 0/1/3 sent to dispatch
  unsigned long long native2py_result_fallback = 0;  // result packed by _pack_result
  unsigned long long py2native_fast = 0;         // arguments packed in C
  unsigned long long py2native_codec_args = 0;   // arguments packed by goray._codec
  unsigned long long py2native_codec_result = 0;  // decoded by unpack_result_block
};
extern Counters g_counters;  // touched with the GIL held

// counters() -> dict of the counts above, by their names.
PyObject *fast_counters(PyObject *, PyObject *);

}  // namespace goray::fastpath
