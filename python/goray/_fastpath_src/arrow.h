// Arrow string and binary columns in values (docs/protocol.md §10, "String and binary
// columns"), through the Arrow C Data Interface and its PyCapsule protocol: what
// goray._arrow asks of C. No libarrow and no pyarrow here: the structs are read and written
// with the runtime's header-only goray/detail/arrow_c.h and column_wire.h.
//
//   arrow_values(schema_capsule)   1 for string values, 2 for binary, 0 for other types
//   arrow_borrow(obj)              (ext 79 body, pins): obj's chunks by address, borrowed
//                                  while pins lives; None when obj holds no strings or bytes
//   arrow_inline(obj)              the ext 78 payload of obj's rows (bytes); None likewise
//   arrow_take(schema, array)      the capsules ("arrow_schema", "arrow_array") of a
//                                  library's handed-over structs, moved out of them
//   arrow_from_inline(payload)     the capsules of an ext 78 payload (bytes), viewed in place
#pragma once

#include "common.h"

namespace goray::fastpath {

PyObject *fast_arrow_values(PyObject *, PyObject *schema_capsule);
PyObject *fast_arrow_borrow(PyObject *, PyObject *value);
PyObject *fast_arrow_inline(PyObject *, PyObject *value);
PyObject *fast_arrow_take(PyObject *, PyObject *args);
PyObject *fast_arrow_from_inline(PyObject *, PyObject *payload);

}  // namespace goray::fastpath
