// The replies the callback hands the library (docs/protocol.md §1: malloc'ed, freed by
// the library): copies of bytes, the reply for a Python exception (code 1 with
// _handlers.error_reply's bytes, docs/protocol.md §9), and the Python dispatcher's reply for the calls the
// C code does not serve. Never an exception in C: any failure is a code-1 reply.
#pragma once

#include "common.h"

namespace goray::fastpath {

// False with a Python error set.
bool replies_init();

// set_dispatcher's callables: dispatch(request, data) -> (code, bytes) and
// error_reply(exception) -> bytes (the code-1 reply's contents).
void set_python_replies(PyObject *dispatch, PyObject *error_reply);
bool python_replies_set();

// The pending exception, normalized, with its traceback (NULL if none); clears it.
PyObject *take_exception();

// Copies `text` into a malloc'ed reply with `code`.
void *text_reply(const char *text, size_t size, long long code, long long *out_len,
                 long long *ret_code);
// The reply for an exception: code 1 with error_reply(exception). Steals `exception`.
void *error_reply(PyObject *exception, long long *out_len, long long *ret_code);
// The code-0 reply holding the bytes a Python helper (`helper`, named in the error)
// returned; NULL (its exception pending) or anything but bytes is a code-1 reply.
// Steals `bytes`.
void *bytes_reply(PyObject *bytes, const char *helper, long long *out_len, long long *ret_code);
// The pending Python exception as a code-1 reply (clears it).
void *exception_reply(long long *out_len, long long *ret_code);
// The Python dispatcher's reply: every command, and every call the C code declines.
void *dispatch_reply(long long request, void *in_data, long long in_len, long long *out_len,
                     long long *ret_code);

}  // namespace goray::fastpath
