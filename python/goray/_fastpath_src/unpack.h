// msgpack -> Python, object for object as goray._codec (msgpack-python with raw=False,
// strict_map_key=False) for the exactly-handled values; anything else is left to it.
#pragma once

#include "object_list.h"

namespace goray::fastpath {

// Decodes every value of concatenated msgpack (an args block or a native return
// block), appended to `values`. False, with no exception set and `values` as it
// was, when this code does not decode it exactly like goray._codec (the caller
// falls back): ext types other than an inline array (ext 71, see arrays.h), invalid
// UTF-8, unhashable keys, nesting beyond kMaxDepth, an allocation failure.
bool decode_block(const char *data, size_t size, ObjectList &values);

// unpack_values(data) -> list, or None when the C parser leaves it to goray._codec.
PyObject *fast_unpack_values(PyObject *, PyObject *data);

}  // namespace goray::fastpath
