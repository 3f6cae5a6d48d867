// Where the ObjectRefs and actor handles inside msgpack values are (docs/protocol.md
// §12): the walk goray._codec.find_ref_exts runs (no Python twin).
#pragma once

#include "common.h"

namespace goray::fastpath {

// find_ref_exts(data) -> [(offset, type)]: where the 8-byte payloads of the fixext 8
// items of type 73 (ObjectRef) and 74 (ActorHandle) start, in order. Items are
// stepped over by their headers (str, bin and ext payloads skipped by length, so
// bytes that look like an ext inside them are never taken for one); the walk stops
// at the first item that is invalid or runs past the end (what follows is left to
// the decoder, which reports it).
PyObject *fast_find_ref_exts(PyObject *, PyObject *data);

}  // namespace goray::fastpath
