// goray::Stream<Item>: the caller's side of a Ray streaming generator (a C++
// goray::Generator<T> task or method, or a Python generator task). A move-only
// input range of item refs, each available as soon as the generator yields it:
//
//   goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", 3));
//   for (goray::Future<int64_t> item : stream) total += item.Get();
//
// Item is goray::ObjectRef or goray::Future<T...>. The driver's generator is
// released (ReleaseObject) with the Stream; each item is an ordinary ObjectRef,
// released with its last copy. Items, in order, come from NextStreamRef
// (Native2Py 36, docs/protocol.md §13): each request takes every item the
// generator has produced so far, so a consumer that fell behind catches up in
// one trip into the driver.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/errors.h"
#include "goray/future.h"
#include "goray/object_ref.h"

namespace goray {

namespace detail {

template <class Item>
inline constexpr bool kIsStreamItem = std::is_same_v<Item, ObjectRef>;
template <class... T>
inline constexpr bool kIsStreamItem<Future<T...>> = true;

// The items one NextStreamRef gave, in order (each id an object the caller now owns),
// and whether the stream ended right after them.
struct StreamItems {
  std::vector<std::uint64_t> ids;
  bool ended = false;
};

// NextStreamRef (Native2Py 36): the stream's next item and every item already
// produced after it (one item from a driver that does not batch), or no ids at its
// end. Code 2 throws TimeoutError, code 4 ObjectRefNotFoundError; a driver that does
// not know the command (GoRay's, or goray's before protocol version 5) a PythonError
// saying so.
StreamItems NextStreamRefs(std::uint64_t stream_id, double timeout_seconds);

// CancelObject (Native2Py 9) of the stream: Ray cancels the generator's task.
void CancelStream(std::uint64_t stream_id, bool force);

}  // namespace detail

// The items of a generator task or method on Ray, as refs (Item = ObjectRef) or typed
// refs (Item = goray::Future<T>), as the generator yields them.
template <class Item = ObjectRef>
class Stream {
  static_assert(detail::kIsStreamItem<Item>,
                "goray::Stream<Item>: Item is goray::ObjectRef or goray::Future<T...>");

 public:
  // Adopts a driver stream id (the reply of a streaming submission).
  // `origin`: the generator task or method, named in its items' errors.
  explicit Stream(std::uint64_t id, std::string origin = {})
      : generator_(std::in_place, id, std::move(origin)) {}
  // An empty stream (moved from): Next() and Cancel() throw.
  Stream() = default;
  Stream(Stream&& other) noexcept
      : generator_(std::exchange(other.generator_, std::nullopt)),
        finished_(other.finished_),
        ending_(other.ending_),
        ahead_(std::move(other.ahead_)),
        current_(std::exchange(other.current_, std::nullopt)),
        seen_(other.seen_) {
    other.ahead_.clear();
  }
  Stream& operator=(Stream&& other) noexcept {
    Stream taken(std::move(other));  // this stream's generator is released with `taken`
    std::swap(generator_, taken.generator_);
    std::swap(finished_, taken.finished_);
    std::swap(ending_, taken.ending_);
    std::swap(ahead_, taken.ahead_);
    std::swap(current_, taken.current_);
    std::swap(seen_, taken.seen_);
    return *this;
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Takes over a stream of other items (Stream<ObjectRef> -> Stream<Future<T>>): the
  // items' types are the caller's claim, checked at each item's Get.
  template <class Other>
    requires(!std::is_same_v<Other, Item>)
  explicit Stream(Stream<Other>&& other)
      : generator_(std::exchange(other.generator_, std::nullopt)),
        finished_(other.finished_),
        ending_(other.ending_),
        ahead_(std::move(other.ahead_)),
        seen_(other.seen_) {
    other.ahead_.clear();
    if (other.current_) current_.emplace(ObjectRef(std::move(*other.current_)));
    other.current_.reset();
  }

  // The next item, waiting for the generator to yield it; std::nullopt once it has
  // finished (then always). A generator that failed ends after the item whose Get
  // raises its error, as in Ray.
  std::optional<Item> Next() { return Fetch(detail::kForever); }
  // As Next(), giving up after `timeout` with goray::TimeoutError (the stream is
  // unchanged: call again for the same item).
  template <class Rep, class Period>
  std::optional<Item> Next(std::chrono::duration<Rep, Period> timeout) {
    return Fetch(std::max(0.0, detail::ToSeconds(timeout)));
  }

  // Cancels the generator's task (ray.cancel): it stops at its next yield; the items
  // it produced may still arrive, then the next item's Get throws (Ray's
  // TaskCancelledError) or the stream ends. `force` kills the worker (tasks only).
  void Cancel(bool force = false) const { detail::CancelStream(id(), force); }

  // The driver's id of the generator. Throws if moved from.
  std::uint64_t id() const {
    if (!generator_) throw Error("goray::Error", "use of a moved-from goray::Stream");
    return generator_->id();
  }
  // True once Next() has seen the end.
  bool finished() const noexcept { return finished_; }

  // An input iterator: for (goray::Future<T> item : stream). begin() waits for the
  // next item. An item the iterator has shown is consumed, as in Python: after a
  // loop's break, Next() or another loop goes on with the item after it.
  class Iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using reference = Item&;

    Iterator() = default;
    Item& operator*() const {
      stream_->seen_ = true;
      return *stream_->current_;
    }
    Item* operator->() const { return &**this; }
    Iterator& operator++() {
      stream_->Advance();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.AtEnd(); }

   private:
    friend class Stream;
    explicit Iterator(Stream* stream) : stream_(stream) {}
    bool AtEnd() const { return stream_ == nullptr || !stream_->current_; }
    Stream* stream_ = nullptr;
  };

  Iterator begin() {
    if (!current_ || seen_) Advance();
    return Iterator(this);
  }
  std::default_sentinel_t end() const noexcept { return std::default_sentinel; }

 private:
  template <class Other>
  friend class Stream;

  std::optional<Item> Fetch(double timeout_seconds) {
    // An item begin() or ++ read and nobody has seen yet comes first.
    if (current_ && !std::exchange(seen_, false)) return std::exchange(current_, std::nullopt);
    current_.reset();
    const std::uint64_t stream_id = id();
    if (ahead_.empty()) {
      if (finished_ || ending_) {
        finished_ = true;
        return std::nullopt;
      }
      detail::StreamItems items = detail::NextStreamRefs(stream_id, timeout_seconds);
      ahead_.reserve(items.ids.size());
      for (auto it = items.ids.rbegin(); it != items.ids.rend(); ++it) {
        ahead_.emplace_back(*it, generator_->origin());
      }
      ending_ = items.ended;
      if (ahead_.empty()) {
        finished_ = true;
        return std::nullopt;
      }
    }
    ObjectRef next = std::move(ahead_.back());
    ahead_.pop_back();
    return Item(std::move(next));
  }
  void Advance() {
    current_.reset();
    seen_ = false;
    current_ = Fetch(detail::kForever);
  }

  // The stream id held as an ObjectRef: released (ReleaseObject, queued when
  // pipelining is on) like any ref when the Stream goes away.
  std::optional<ObjectRef> generator_;
  bool finished_ = false;
  bool ending_ = false;  // the driver said the stream ends after the items in ahead_
  // Items the driver gave that Next() has not returned yet, last first (so the next
  // is at the back): released with the Stream if nobody takes them.
  std::vector<ObjectRef> ahead_;
  std::optional<Item> current_;  // the item the iterator points at
  bool seen_ = false;            // whether the iterator showed current_ (then it is consumed)
};

}  // namespace goray
