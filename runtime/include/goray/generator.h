// goray::Generator<T>: the result type of a task or actor method that yields its
// values one by one (a C++20 coroutine). Registered as a task or method, it is a Ray
// streaming generator (docs/streams.md):
//
//     goray::Generator<int64_t> CountUp(int64_t n) {
//       for (int64_t i = 0; i < n; ++i) co_yield i;
//     }
//
// - `co_yield value;` hands one item over (a T, or anything T is constructible from);
//   `co_return;` (or the end of the body) ends the stream.
// - Lazy: calling the function runs nothing; the body starts at the first Next().
// - An exception the body throws propagates out of the Next() (or iterator step) that
//   resumed it; the generator is finished afterwards.
// - Move-only. Destroying an unfinished generator destroys its coroutine frame: the
//   destructors of the body's locals run (RAII cleanup on close or cancellation).
// - `co_await` is not allowed in the body (no scheduler resumes it).
// - Plain C++ can iterate it as an input range: `for (const T& item : CountUp(3))`.
// - With g++ 12, yield a named struct (`Row row{...}; co_yield row;`), not a braced
//   temporary (`co_yield Row{a + b, 1};`): g++ 12 destroys such a temporary's members
//   twice (a compiler bug; clang is fine).
#pragma once

#include <coroutine>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace goray {

// A coroutine yielding T items: the result type of a generator task or method (see above).
template <class T>
class Generator {
  static_assert(!std::is_void_v<T> && !std::is_reference_v<T> && std::is_object_v<T>,
                "goray: Generator<T> yields values: T is an object type, not void or a "
                "reference");
  static_assert(std::is_same_v<T, std::remove_cv_t<T>>,
                "goray: Generator<T>: T cannot be const or volatile");

 public:
  using value_type = T;

  class promise_type {
   public:
    Generator get_return_object() noexcept {
      return Generator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }

    template <class U = T>
      requires std::is_constructible_v<T, U&&>
    std::suspend_always yield_value(U&& value) {
      item_.reset();
      item_.emplace(std::forward<U>(value));
      return {};
    }

    void return_void() noexcept {}
    void unhandled_exception() noexcept { error_ = std::current_exception(); }

    // No co_await in a generator's body: nothing would resume it.
    template <class U>
    std::suspend_never await_transform(U&&) = delete;

   private:
    friend class Generator;
    std::optional<T> item_;
    std::exception_ptr error_;
  };

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = T&;

    iterator() noexcept = default;
    T& operator*() const { return owner_->value(); }
    T* operator->() const { return &owner_->value(); }
    iterator& operator++() {
      if (!owner_->Next()) owner_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return it.owner_ == nullptr;
    }

   private:
    friend class Generator;
    explicit iterator(Generator* owner) noexcept : owner_(owner) {}
    Generator* owner_ = nullptr;
  };

  Generator() noexcept = default;  // empty: already finished
  Generator(Generator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Generator& operator=(Generator&& other) noexcept {
    if (this != &other) {
      Destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;
  ~Generator() { Destroy(); }

  // Resumes the body until its next co_yield (true: value() is that item) or its end
  // (false, and every later call is false). Rethrows what the body threw.
  bool Next() {
    if (!handle_ || handle_.done()) return false;
    promise_type& promise = handle_.promise();
    promise.item_.reset();
    handle_.resume();
    if (promise.error_) {
      std::exception_ptr error = std::exchange(promise.error_, nullptr);
      Destroy();  // finished: its frame's locals are gone already
      std::rethrow_exception(error);
    }
    return !handle_.done();
  }

  // The item the last Next() that returned true yielded. Throws std::logic_error when
  // there is none (before the first Next(), or after the end).
  T& value() {
    if (!handle_ || !handle_.promise().item_) {
      throw std::logic_error("goray: Generator::value() without an item (call Next() first)");
    }
    return *handle_.promise().item_;
  }

  // True once the body ended (returned or threw) or the generator is empty.
  bool done() const noexcept { return !handle_ || handle_.done(); }

  // An input range over the remaining items: begin() resumes the body once.
  iterator begin() {
    iterator it(this);
    ++it;
    return it;
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  explicit Generator(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}

  void Destroy() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

template <class R>
struct GeneratorResult : std::false_type {};
template <class T>
struct GeneratorResult<Generator<T>> : std::true_type {
  using Item = T;
};

}  // namespace detail

}  // namespace goray
