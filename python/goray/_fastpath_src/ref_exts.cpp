// ObjectRefs and actor handles inside values (see ref_exts.h).
#include "ref_exts.h"

namespace goray::fastpath {
namespace {

// Bytes a msgpack item takes after its first byte, its payload included (0 for a
// container's header: its elements follow as items of their own); -1 for 0xc1 (never
// used) and when the length bytes run past `end`.
int64_t item_rest(const unsigned char *at, const unsigned char *end) {
  unsigned char marker = *at;
  if (marker <= 0x7f || marker >= 0xe0 || (marker >= 0x80 && marker <= 0x9f)) return 0;
  if (marker <= 0xbf) return marker & 0x1f;  // fixstr
  auto length = [&](int width, int extra) -> int64_t {
    if (end - at < 1 + width) return -1;
    uint64_t size = 0;
    for (int i = 1; i <= width; ++i) size = size << 8 | at[i];
    return static_cast<int64_t>(width + extra + size);
  };
  switch (marker) {
    case 0xc0: case 0xc2: case 0xc3: return 0;
    case 0xc4: case 0xd9: return length(1, 0);  // bin 8, str 8
    case 0xc5: case 0xda: return length(2, 0);
    case 0xc6: case 0xdb: return length(4, 0);
    case 0xc7: return length(1, 1);  // ext 8/16/32: the type byte too
    case 0xc8: return length(2, 1);
    case 0xc9: return length(4, 1);
    case 0xca: return 4;
    case 0xcb: return 8;
    case 0xcc: case 0xd0: return 1;
    case 0xcd: case 0xd1: return 2;
    case 0xce: case 0xd2: return 4;
    case 0xcf: case 0xd3: return 8;
    case 0xd4: return 2;  // fixext 1/2/4/8/16: the type byte and the payload
    case 0xd5: return 3;
    case 0xd6: return 5;
    case 0xd7: return 9;
    case 0xd8: return 17;
    case 0xdc: case 0xde: return 2;  // array 16, map 16
    case 0xdd: case 0xdf: return 4;
    default: return -1;  // 0xc1
  }
}

}  // namespace

PyObject *fast_find_ref_exts(PyObject *, PyObject *data) {
  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return nullptr;
  PyObject *found = PyList_New(0);
  if (found == nullptr) {
    PyBuffer_Release(&view);
    return nullptr;
  }
  const unsigned char *begin = static_cast<const unsigned char *>(view.buf);
  const unsigned char *end = begin + view.len;
  const unsigned char *at = begin;
  while (at < end) {
    int64_t rest = item_rest(at, end);
    if (rest < 0 || rest >= end - at) break;
    if (*at == 0xd7 && (at[1] == codec::detail::kExtObjectRef ||
                        at[1] == codec::detail::kExtActorHandle)) {
      PyObject *site = Py_BuildValue("(ni)", static_cast<Py_ssize_t>(at + 2 - begin),
                                     static_cast<int>(at[1]));
      if (site == nullptr || PyList_Append(found, site) != 0) {
        Py_XDECREF(site);
        Py_DECREF(found);
        PyBuffer_Release(&view);
        return nullptr;
      }
      Py_DECREF(site);
    }
    at += 1 + rest;
  }
  PyBuffer_Release(&view);
  return found;
}

}  // namespace goray::fastpath
