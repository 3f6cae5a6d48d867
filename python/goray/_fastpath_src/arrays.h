// NumPy arrays in the values of in-process calls, once the library speaks arrays
// (docs/protocol.md §10): ext 72 (by address, borrowed) for the arguments of
// golang_local_run_task and actor_call, ext 71 (inline) for the other values packed
// here, and ext 71 decoded through goray._arrays.decode_inline.
#pragma once

#include "buffer.h"

#include <list>

namespace goray::fastpath {

// True once the library speaks arrays (set_commands): exact numpy.ndarray arguments of
// in-process calls are then sent by address, like goray._arrays in BORROWED mode.
extern bool g_arrays_enabled;

// The buffers of the arrays a call's request points to: held (and the arrays with
// them) until the call returns; released with the GIL held.
class ArrayPins {
 public:
  ArrayPins() = default;
  ArrayPins(const ArrayPins &) = delete;
  ArrayPins &operator=(const ArrayPins &) = delete;
  ~ArrayPins() {
    for (Py_buffer &view : views_) PyBuffer_Release(&view);
  }
  Py_buffer *add() {  // a slot for PyObject_GetBuffer; throws std::bad_alloc
    views_.emplace_back();
    return &views_.back();
  }
  void drop_last() { views_.pop_back(); }  // the slot was not filled

 private:
  std::list<Py_buffer> views_;  // stable addresses; empty costs no allocation
};

// Packs an exact numpy.ndarray that is C-contiguous, aligned and of a supported dtype
// as ext 72 borrowed, pinning its buffer in `pins`. False (nothing written, no
// exception set) for any other array.
bool pack_borrowed_array(Packer &packer, PyObject *value, ArrayPins &pins);

// Packs an exact C-contiguous numpy.ndarray of a supported dtype as ext 71 inline, its
// data 64-byte aligned from the start of `buffer` (goray._arrays' INLINE mode, so the
// bytes equal goray._codec.pack's). False (nothing written, no exception) otherwise.
bool pack_inline_array(Packer &packer, Buffer &buffer, PyObject *value);

// True when an ext 71 payload may be decoded here: decode_inline is set and NumPy is
// imported (then decode_inline cannot meet a missing NumPy; the Python code reports
// that, naming the callee and position).
bool inline_arrays_decodable();

// decode_inline(the ext 71 payload): the ndarray (a new reference), or NULL.
PyObject *decode_inline_array(const char *payload, size_t size);

// set_inline_decoder(decode_inline): goray._arrays.decode_inline.
PyObject *fast_set_inline_decoder(PyObject *, PyObject *decoder);

}  // namespace goray::fastpath
