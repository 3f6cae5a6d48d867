// goray::serve::Handle: C++ code calling a Ray Serve deployment (docs/serve.md, "From
// C++"), a C++ one or a Python one, by its deployment and application names.
//
// A call goes through Python in this process (goray.serve.call, which holds Serve's
// DeploymentHandle), so it works wherever goray runs C++ with Python beside it: a Serve
// replica (a C++ ingress composing deployments), a task or actor on Ray, the driver.
// It waits for the result; errors arrive as the C++ exceptions goray's in-process Python
// calls throw (goray::PythonError with the Python side's type and message).
//
// The generated header of an application declares, per C++ actor type, a typed
// Handle (NAME::ScorerDeployment): its methods take the C++ method's arguments and
// return its result type, a goray::serve::Stream for a generator. Not part of
// goray/goray.h: the generated header includes it.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goray/future.h"
#include "goray/local.h"

namespace goray::serve {

// The items of a streaming call (a generator method of a deployment), as they come:
// for (const T& item : stream), or Next() until it returns nothing. Destroying (or
// Cancel()ing) a stream that has not ended cancels the call, as a client that goes away
// does: a C++ generator behind it stops at its next co_yield.
template <class T>
class Stream {
 public:
  explicit Stream(PyLocalInstance call) : call_(std::move(call)) {}
  Stream(Stream&& other) noexcept
      : call_(std::move(other.call_)), ready_(std::move(other.ready_)), next_(other.next_),
        ended_(std::exchange(other.ended_, true)) {}
  Stream& operator=(Stream&& other) noexcept {
    if (this != &other) {
      Cancel();
      call_ = std::move(other.call_);
      ready_ = std::move(other.ready_);
      next_ = other.next_;
      ended_ = std::exchange(other.ended_, true);
    }
    return *this;
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() { Cancel(); }

  // The next item, or nothing once the stream has ended. Items that arrived together
  // are kept and handed out one by one.
  std::optional<T> Next() {
    while (next_ == ready_.size()) {
      if (ended_) return std::nullopt;
      ready_ = call_.MethodCall("next_items").template Get<std::vector<T>>();
      next_ = 0;
      if (ready_.empty()) ended_ = true;
    }
    return std::move(ready_[next_++]);
  }

  // Cancels the call unless it has ended (nothing otherwise; never throws).
  void Cancel() noexcept {
    if (ended_ || call_.closed()) return;
    ended_ = true;
    try {
      call_.MethodCall("cancel");
      call_.Close();
    } catch (...) {  // the call ended meanwhile, or Python is gone: nothing to cancel
    }
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    iterator() = default;
    explicit iterator(Stream* stream) : stream_(stream) { ++*this; }
    const T& operator*() const { return *item_; }
    const T* operator->() const { return &*item_; }
    iterator& operator++() {
      item_ = stream_->Next();
      if (!item_) stream_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const iterator& other) const { return stream_ == other.stream_; }

   private:
    Stream* stream_ = nullptr;
    std::optional<T> item_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  PyLocalInstance call_;
  std::vector<T> ready_;
  std::size_t next_ = 0;
  bool ended_ = false;
};

// A Serve deployment, called from C++ (see above).
class Handle {
 public:
  // The deployment `deployment` of application `app` ("default": serve.run's default name).
  explicit Handle(std::string deployment, std::string app = "default")
      : deployment_(std::move(deployment)), app_(std::move(app)) {}

  // Calls `method` with `args` and waits: .Get<T>() decodes the result, as for any
  // in-process call (goray::LocalResult).
  template <class... Args>
  LocalResult Call(std::string_view method, const Args&... args) const {
    return LocalCallPyTask("goray.serve.call", app_, deployment_, std::string(method), timeout_s_,
                           args...);
  }

  // Calls streaming method `method` (a generator): its items as they come, as T.
  template <class T, class... Args>
  Stream<T> CallStream(std::string_view method, const Args&... args) const {
    return Stream<T>(NewPyLocalInstance("goray.serve.StreamingCall", app_, deployment_,
                                        std::string(method), timeout_s_, args...));
  }

  // Calls wait at most `seconds` (then throw goray::PythonError, Serve's TimeoutError); by
  // default they wait as long as the deployment takes, as Serve's handles do. A
  // stream's items are not timed: its reader decides when to stop (Cancel).
  Handle& Timeout(double seconds) {
    timeout_s_ = seconds;
    return *this;
  }

  const std::string& deployment() const noexcept { return deployment_; }
  const std::string& app() const noexcept { return app_; }

 protected:
  // For the generated typed deployments: the call of a method whose Ray form returns
  // Future (its result types), each argument kept as the method's parameter type.
  template <class Future, class... Kept, class... A>
  auto CallTyped(std::string_view method, A&&... args) const {
    return Result<Future>::Of(Call(method, static_cast<const Kept&>(Kept(std::forward<A>(args)))...));
  }
  template <class Future, class... Kept, class... A>
  auto StreamTyped(std::string_view method, A&&... args) const {
    return Result<Future>::template StreamOf<Kept...>(
        *this, method, static_cast<const Kept&>(Kept(std::forward<A>(args)))...);
  }

 private:
  template <class Future>
  struct Result;
  template <class... T>
  struct Result<Future<T...>> {
    static auto Of(const LocalResult& result) {
      if constexpr (sizeof...(T) != 0) return result.template Get<T...>();
    }
    template <class... Kept>
    static auto StreamOf(const Handle& handle, std::string_view method, const Kept&... args) {
      static_assert(sizeof...(T) == 1, "goray: a stream's items have one type");
      return handle.CallStream<T...>(method, args...);
    }
  };

  std::string deployment_;
  std::string app_;
  double timeout_s_ = -1;  // none
};

}  // namespace goray::serve
