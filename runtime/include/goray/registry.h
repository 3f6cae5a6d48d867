// The application's table of tasks, actor types, driver and init options.
//
// No static registration: the application defines
//     void goray::RegisterApplication(goray::Registry&);
// (goray-gen writes it), and the runtime calls it once, on first use. Every
// Add* turns a typed C++ callable into an invoker (bytes in, bytes out) by
// compile-time deduction of its parameters and results.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/arg_list.h"
#include "goray/detail/callable_traits.h"

namespace goray {

using detail::ArgList;

// Erased callables. Invokers decode their arguments from an ArgList, call the
// user's function and append its results (a native return block) to `out`.
using TaskInvoker = std::function<void(const ArgList& args, codec::Buffer& out)>;
using ActorFactory = std::function<std::shared_ptr<void>(const ArgList& args)>;
using MethodInvoker = std::function<void(void* self, const ArgList& args, codec::Buffer& out)>;

struct ActorType {
  std::string name;
  ActorFactory factory;
  std::map<std::string, MethodInvoker, std::less<>> methods;
};

// Builds an actor type of class T with std::make_unique from constructor arguments:
// registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create).
template <class T, class... Args>
struct Constructor {
  static std::unique_ptr<T> Create(Args... args) {
    return std::make_unique<T>(std::forward<Args>(args)...);
  }
};

namespace detail {

// The one instance of a GORAY_TASKS / GORAY_ACTORS struct: built on first use,
// shared by every thread.
template <class C>
C& SharedInstance() {
  // Never destroyed: tasks may run until the process ends, after static
  // destructors would have run. (Heap-allocated also keeps g++ 12 from a false
  // -Warray-bounds on member-pointer calls on empty structs.)
  static C* const instance = new C();
  return *instance;
}

template <class Tuple>
struct DecayedTuple;
template <class... P>
struct DecayedTuple<std::tuple<P...>> {
  using type = std::tuple<std::remove_cvref_t<P>...>;
};

template <class Tuple>
void CheckParameterKinds() {
  []<class... P>(std::tuple<P...>*) {
    static_assert(((!std::is_pointer_v<std::remove_cvref_t<P>>)&&...),
                  "goray: a task parameter cannot be a pointer; take it by value or const&");
    static_assert(((!std::is_lvalue_reference_v<P> ||
                    std::is_const_v<std::remove_reference_t<P>>)&&...),
                  "goray: a task parameter cannot be a non-const reference");
  }(static_cast<Tuple*>(nullptr));
}

// Decodes every argument, checking the count first.
template <class ParamTuple>
auto DecodeArgs(const ArgList& args) {
  using Values = typename DecayedTuple<ParamTuple>::type;
  constexpr std::size_t kCount = std::tuple_size_v<Values>;
  args.RequireCount(kCount);
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Values{args.template Get<std::tuple_element_t<I, Values>>(I)...};
  }(std::make_index_sequence<kCount>{});
}

// Appends a function's results as a native return block: nothing for void,
// each element for a std::tuple, else one value.
template <class R>
void EncodeResults(codec::Buffer& out, R&& result) {
  codec::Packer packer(out);
  using Plain = std::remove_cvref_t<R>;
  try {
    if constexpr (IsTuple<Plain>::value) {
      std::apply([&](const auto&... element) { (codec::Encode(packer, element), ...); }, result);
    } else {
      codec::Encode(packer, result);
    }
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn("the result", error);
  }
}

// Calls `call(decoded args...)` and encodes what it returns.
template <class R, class ParamTuple, class Call>
void InvokeAndEncode(const ArgList& args, codec::Buffer& out, Call&& call) {
  auto values = DecodeArgs<ParamTuple>(args);
  if constexpr (std::is_void_v<R>) {
    std::apply([&](auto&... value) { call(std::move(value)...); }, values);
  } else {
    EncodeResults(out, std::apply([&](auto&... value) -> R { return call(std::move(value)...); },
                                  values));
  }
}

// Calls a callable with decoded arguments; a member function runs on the
// shared instance of its class.
template <class Fn>
decltype(auto) CallWith(Fn& fn, auto&&... values) {
  using Owner = typename CallableTraits<Fn>::Owner;
  if constexpr (std::is_void_v<Owner>) {
    return fn(std::forward<decltype(values)>(values)...);
  } else {
    return (SharedInstance<Owner>().*fn)(std::forward<decltype(values)>(values)...);
  }
}

template <class T, class Made>
std::shared_ptr<void> Own(Made&& made) {
  using Plain = std::remove_cvref_t<Made>;
  if constexpr (std::is_same_v<Plain, std::unique_ptr<T>>) {
    if (!made) throw std::runtime_error("the actor factory returned an empty std::unique_ptr");
    return std::shared_ptr<T>(std::move(made));
  } else if constexpr (std::is_same_v<Plain, T*>) {
    if (made == nullptr) throw std::runtime_error("the actor factory returned a null pointer");
    return std::shared_ptr<T>(made);  // ownership taken
  } else {
    static_assert(std::is_same_v<Plain, T>,
                  "goray: an actor factory returns T, std::unique_ptr<T> or T*");
    return std::make_shared<T>(std::forward<Made>(made));
  }
}

}  // namespace goray::detail

// Adds methods to an actor type of class T.
template <class T>
class ActorTypeBuilder {
 public:
  explicit ActorTypeBuilder(ActorType& type) : type_(&type) {}

  // `method` is a member function of T or of a public base of T.
  template <class Method>
  ActorTypeBuilder& AddMethod(std::string name, Method method) {
    using Traits = detail::CallableTraits<Method>;
    using Owner = typename Traits::Owner;
    static_assert(std::is_base_of_v<Owner, T>, "goray: the method is not a member of the actor");
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    if (type_->methods.count(name) != 0) {
      throw std::logic_error("goray: method " + name + " of actor type " + type_->name +
                             " registered twice");
    }
    type_->methods.emplace(std::move(name), [method](void* self, const ArgList& args,
                                                     codec::Buffer& out) {
      T* object = static_cast<T*>(self);
      detail::InvokeAndEncode<typename Traits::Result, typename Traits::ParamTuple>(
          args, out, [&](auto&&... values) -> decltype(auto) {
            return (object->*method)(std::forward<decltype(values)>(values)...);
          });
    });
    return *this;
  }

 private:
  ActorType* type_;
};

class Registry {
 public:
  using Driver = std::function<int(const std::vector<std::string>&)>;

  // A free function, a lambda, or a member function of a GORAY_TASKS struct.
  template <class Fn>
  void AddTask(std::string name, Fn fn) {
    using Traits = detail::CallableTraits<Fn>;
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    AddTaskInvoker(std::move(name), [fn](const ArgList& args, codec::Buffer& out) mutable {
      detail::InvokeAndEncode<typename Traits::Result, typename Traits::ParamTuple>(
          args, out, [&](auto&&... values) -> decltype(auto) {
            return detail::CallWith(fn, std::forward<decltype(values)>(values)...);
          });
    });
  }

  // An actor type of class T built by `factory` (returning T, std::unique_ptr<T>
  // or T*); a member function of a GORAY_ACTORS struct runs on its shared instance.
  template <class T, class Factory>
  ActorTypeBuilder<T> AddActor(std::string name, Factory factory) {
    using Traits = detail::CallableTraits<Factory>;
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    ActorType& type = AddActorType(std::move(name), [factory](const ArgList& args) mutable {
      auto values = detail::DecodeArgs<typename Traits::ParamTuple>(args);
      return std::apply(
          [&](auto&... value) {
            return detail::Own<T>(detail::CallWith(factory, std::move(value)...));
          },
          values);
    });
    return ActorTypeBuilder<T>(type);
  }

  void SetDriver(int (*driver)());
  void SetDriver(int (*driver)(const std::vector<std::string>&));
  // A JSON object of ray.init options; validated here.
  void SetInitOptions(std::string_view json);

  // Raw registration, for invokers built elsewhere. Duplicate names throw std::logic_error.
  void AddTaskInvoker(std::string name, TaskInvoker invoker);
  ActorType& AddActorType(std::string name, ActorFactory factory);

  const TaskInvoker* FindTask(std::string_view name) const;
  const ActorType* FindActorType(std::string_view name) const;
  const std::optional<Driver>& driver() const noexcept { return driver_; }
  const std::string& init_options() const noexcept { return init_options_; }
  std::vector<std::string> TaskNames() const;       // sorted
  std::vector<std::string> ActorTypeNames() const;  // sorted

 private:
  std::map<std::string, TaskInvoker, std::less<>> tasks_;
  // std::map keeps ActorType addresses stable for the builders handed out.
  std::map<std::string, ActorType, std::less<>> actor_types_;
  std::optional<Driver> driver_;
  std::string init_options_ = "{}";
};

// Defined by the application (goray-gen writes it); called once, on first use.
void RegisterApplication(Registry& registry);

}  // namespace goray
