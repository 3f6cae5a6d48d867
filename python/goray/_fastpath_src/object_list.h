// The Python objects a call owns (decoded arguments or results), released together.
#pragma once

#include "common.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace goray::fastpath {

// Python objects owned by a call (a few inline, more on the heap), released at scope
// exit.
class ObjectList {
 public:
  ObjectList() = default;
  ObjectList(const ObjectList &) = delete;
  ObjectList &operator=(const ObjectList &) = delete;
  ~ObjectList() {
    truncate(0);
    if (items_ != inline_) std::free(items_);
  }
  void push(PyObject *item) {  // steals `item`; throws std::bad_alloc (then releases it)
    if (size_ == capacity_) {
      size_t capacity = capacity_ * 2;
      PyObject **grown = static_cast<PyObject **>(std::malloc(capacity * sizeof(PyObject *)));
      if (grown == nullptr) {
        Py_XDECREF(item);
        throw std::bad_alloc();
      }
      std::memcpy(grown, items_, size_ * sizeof(PyObject *));
      if (items_ != inline_) std::free(items_);
      items_ = grown;
      capacity_ = capacity;
    }
    items_[size_++] = item;
  }
  void truncate(size_t size) {  // drops the items after the first `size`
    while (size_ > size) {
      --size_;
      Py_XDECREF(items_[size_]);
    }
  }
  size_t size() const { return size_; }
  PyObject **data() { return items_; }
  PyObject *operator[](size_t i) const { return items_[i]; }

 private:
  PyObject *inline_[8];
  PyObject **items_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = 8;
};

}  // namespace goray::fastpath
