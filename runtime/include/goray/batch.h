// Batches: many ObjectRefs fetched in one round trip to the driver (one
// ray.get of the list), waited on together (Wait), and results taken in completion
// order (AsCompleted). Everything on many refs is here, above object_ref.h.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/future.h"
#include "goray/object_ref.h"

namespace goray {

namespace detail {

// One object's reply as GetObject would give it: code 0 and the payload, or a
// failure code and its text. `owner` keeps `payload` alive. `lent`: its ext 72
// point into the driver's memory, lent until `owner`'s last copy goes.
struct ObjectReply {
  long long code = kSuccess;
  std::string_view payload;
  std::shared_ptr<void> owner;
  bool lent = false;
  std::string what;  // names the object (or the lost submission) in errors
  // The refs and handles inside `payload`, adopted once when it arrived (it may be
  // decoded several times, or never).
  std::shared_ptr<const codec::detail::ReceivedRefs> refs;
};

// The replies for `ids`, in order: GetObjects (Native2Py 34) when pipelining is on,
// else one GetObject per id; with bit 4 both ask to lend (docs/protocol.md §10). A
// timeout (code 2) or an unknown id (code 4) for the request as a whole is thrown;
// failures of single objects are in their entries.
std::vector<ObjectReply> FetchObjects(const std::vector<std::uint64_t>& ids, double timeout_seconds);

std::vector<std::uint64_t> IdsOf(const std::vector<ObjectRef>& refs);
// Puts the task or method `ref` came from before the reply's "object N", which its
// errors name.
void NameReply(ObjectReply& reply, const ObjectRef& ref);

// WaitObject: indexes into `ids` of {ready, pending}, ready ascending. With
// `all_ready` (and pipelining on) the ready ones are every id ready by the time
// num_returns were.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> WaitIndices(
    const std::vector<std::uint64_t>& ids, std::size_t num_returns, double timeout_seconds,
    bool all_ready);

template <class... T>
auto DecodeReply(const ObjectReply& reply) {
  if (reply.code != kSuccess) ThrowDriverFailure(reply.code, reply.payload, reply.what);
  if constexpr (sizeof...(T) == 0) {
    return;
  } else {
    static const codec::detail::ReceivedRefs kNoRefs;
    return DecodeObject<T...>(reply.what, reply.payload, reply.owner,
                              reply.refs ? reply.refs.get() : &kNoRefs, reply.lent);
  }
}

template <class... T>
auto GetAll(const std::vector<ObjectRef>& refs, double timeout_seconds) {
  std::vector<ObjectReply> replies = FetchObjects(IdsOf(refs), timeout_seconds);
  for (std::size_t i = 0; i < replies.size(); ++i) NameReply(replies[i], refs[i]);
  if constexpr (sizeof...(T) == 0) {
    for (const ObjectReply& reply : replies) DecodeReply<>(reply);
  } else {
    std::vector<decltype(DecodeReply<T...>(replies.front()))> values;
    values.reserve(replies.size());
    for (const ObjectReply& reply : replies) values.push_back(DecodeReply<T...>(reply));
    return values;
  }
}

template <class... T>
std::vector<ObjectRef> AsRefs(const std::vector<Future<T...>>& futures) {
  return std::vector<ObjectRef>(futures.begin(), futures.end());
}

}  // namespace detail

// Waits until `num_returns` of `refs` are ready (or the timeout passes): returns
// {ready, pending}, each in the order of `refs`.
std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> Wait(const std::vector<ObjectRef>& refs,
                                                               std::size_t num_returns);
// Wait with a timeout in seconds (negative: none).
std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> WaitFor(const std::vector<ObjectRef>& refs,
                                                                  std::size_t num_returns,
                                                                  double timeout_seconds);
// Wait with a timeout as a std::chrono duration.
template <class Rep, class Period>
std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> Wait(
    const std::vector<ObjectRef>& refs, std::size_t num_returns,
    std::chrono::duration<Rep, Period> timeout) {
  return WaitFor(refs, num_returns, detail::ToSeconds(timeout));
}

// Fetches every ref in one round trip: a std::vector of T (of std::tuple<T...>
// for several types), in the refs' order. The first failure in that order is
// thrown, as ref.Get<T...>() would throw it.
template <class... T>
auto Get(const std::vector<ObjectRef>& refs) {
  static_assert(sizeof...(T) >= 1, "goray: Get needs at least one type");
  return detail::GetAll<T...>(refs, detail::kForever);
}
template <class... T, class Rep, class Period>
auto Get(const std::vector<ObjectRef>& refs, std::chrono::duration<Rep, Period> timeout) {
  static_assert(sizeof...(T) >= 1, "goray: Get needs at least one type");
  return detail::GetAll<T...>(refs, detail::ToSeconds(timeout));
}
// Futures know their types: a std::vector of their values (nothing for void).
template <class... T>
auto Get(const std::vector<Future<T...>>& futures) {
  return detail::GetAll<T...>(detail::AsRefs(futures), detail::kForever);
}
template <class... T, class Rep, class Period>
auto Get(const std::vector<Future<T...>>& futures, std::chrono::duration<Rep, Period> timeout) {
  return detail::GetAll<T...>(detail::AsRefs(futures), detail::ToSeconds(timeout));
}

// One finished ref from AsCompleted: its position in the refs given, the ref,
// and its value (fetched already; Get decodes it or throws its failure).
class Completed {
 public:
  Completed(std::size_t at, ObjectRef done, detail::ObjectReply reply)
      : index(at), ref(std::move(done)), reply_(std::move(reply)) {}

  template <class... T>
  auto Get() const {
    static_assert(sizeof...(T) >= 1, "goray: Get needs at least one type (or use Wait())");
    return detail::DecodeReply<T...>(reply_);
  }
  // Throws the failure, if the task failed.
  void Wait() const { detail::DecodeReply<>(reply_); }

  std::size_t index;
  ObjectRef ref;

 private:
  detail::ObjectReply reply_;
};

// Yields the refs as they finish (index, ref, value), one round of Wait plus one
// GetObjects for each group found ready. Iterate once; past the timeout (counted
// from the call) with refs still pending, the iteration throws TimeoutError.
class CompletionStream {
 public:
  CompletionStream(std::vector<ObjectRef> refs, double timeout_seconds);

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Completed;
    using difference_type = std::ptrdiff_t;
    using pointer = const Completed*;
    using reference = const Completed&;

    iterator() = default;
    explicit iterator(CompletionStream* stream) : stream_(stream) { ++*this; }
    reference operator*() const { return stream_->current(); }
    pointer operator->() const { return &stream_->current(); }
    iterator& operator++() {
      if (stream_ != nullptr && !stream_->Next()) stream_ = nullptr;
      return *this;
    }
    bool operator==(const iterator& other) const { return stream_ == other.stream_; }

   private:
    CompletionStream* stream_ = nullptr;
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }
  std::size_t remaining() const noexcept { return pending_.size() + ready_.size(); }

 private:
  bool Next();
  const Completed& current() const { return ready_.front(); }
  void FetchReadyGroup();

  std::vector<ObjectRef> refs_;
  std::vector<std::size_t> pending_;  // indexes into refs_
  std::deque<Completed> ready_;       // front: the current item
  bool started_ = false;
  double timeout_seconds_;
  std::chrono::steady_clock::time_point deadline_;
};

// The refs (or futures) as they finish: for (const goray::Completed& done : AsCompleted(refs)).
inline CompletionStream AsCompleted(std::vector<ObjectRef> refs) {
  return CompletionStream(std::move(refs), detail::kForever);
}
template <class Rep, class Period>
CompletionStream AsCompleted(std::vector<ObjectRef> refs, std::chrono::duration<Rep, Period> timeout) {
  return CompletionStream(std::move(refs), detail::ToSeconds(timeout));
}
template <class... T>
CompletionStream AsCompleted(const std::vector<Future<T...>>& futures) {
  return CompletionStream(detail::AsRefs(futures), detail::kForever);
}
template <class... T, class Rep, class Period>
CompletionStream AsCompleted(const std::vector<Future<T...>>& futures,
                             std::chrono::duration<Rep, Period> timeout) {
  return CompletionStream(detail::AsRefs(futures), detail::ToSeconds(timeout));
}

}  // namespace goray
