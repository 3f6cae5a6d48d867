// Python -> msgpack, byte for byte as goray._codec.pack (msgpack-python with
// use_bin_type=True) for the exactly-handled types; anything else is left to it.
#pragma once

#include "buffer.h"

namespace goray::fastpath {

class ArrayPins;

// Packs `value` like goray._codec.pack when it is made only of exact None, bool, int
// (64 bits), float, str, bytes, bytearray, list, tuple and dict (and, once the library
// speaks arrays, numpy.ndarray: see arrays.h). Returns false, with no exception set,
// for anything else (the caller falls back to the Python code). `pins` non-NULL: arrays
// go by address (ext 72 borrowed) and are held there; NULL: inline (ext 71).
// May throw std::bad_alloc.
bool pack_object(Packer &packer, Buffer &buffer, PyObject *value, int depth,
                 ArrayPins *pins = nullptr);

// msgpack's ext header size for a payload of `length` bytes.
size_t ext_header_size(uint64_t length);

// pack(value, by_address=False) -> bytes, or None when the C packer leaves it to
// goray._codec. by_address: arrays as ext 72 borrowed (the arguments of in-process
// calls), their buffers released on return: the addresses hold while the arrays live.
PyObject *fast_pack(PyObject *, PyObject *const *args, Py_ssize_t nargs);

}  // namespace goray::fastpath
