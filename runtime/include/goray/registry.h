// The application's table of tasks, actor types, driver and init options.
//
// No static registration: the application defines
//     void goray::RegisterApplication(goray::Registry&);
// (goray-gen writes it), and the runtime calls it once, on first use. Every
// Add* turns a typed C++ callable into an invoker (bytes in, bytes out) by
// compile-time deduction of its parameters and results.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
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
#include "goray/detail/generator_call.h"
#include "goray/detail/map_loop.h"
#include "goray/detail/typed_form.h"
#include "goray/generator.h"

namespace goray {

// A call's arguments as an invoker receives them (detail/arg_list.h).
using detail::ArgList;

// A task or method named at compile time, as goray-gen registers every one
// (`registry.AddTask("Square", goray::Fixed<&Tasks::Square>{})`): a call through it is a
// direct call, which the compiler can inline into goray.map's loop over a chunk (and
// vectorise there, with flags that allow it: docs/map.md, "Fast kernels"). A plain
// function pointer registers the same task, called through the pointer.
template <auto F>
using Fixed = detail::Fixed<F>;

// Erased callables. Invokers decode their arguments from an ArgList, call the
// user's function and append its results (a native return block) to `out`.
using TaskInvoker = std::function<void(const ArgList& args, codec::Buffer& out)>;
// Builds an actor from its constructor's arguments.
using ActorFactory = std::function<std::shared_ptr<void>(const ArgList& args)>;
// Runs a method on the actor `self`, as a TaskInvoker runs a task.
using MethodInvoker = std::function<void(void* self, const ArgList& args, codec::Buffer& out)>;

// An actor type as the registry holds it: its factory, methods and traits.
struct ActorType {
  std::string name;
  ActorFactory factory;
  // Every method; one that streams runs to its end here and answers a list of its items.
  std::map<std::string, MethodInvoker, std::less<>> methods;
  // The methods that return goray::Generator<T>, started item by item (docs/protocol.md §13).
  std::map<std::string, MethodStreamStarter, std::less<>> streams;
  // The map loop of every method that does not stream (goray.map, detail/map_loop.h),
  // and what it takes and answers (JSON, detail::MapDescription).
  std::map<std::string, MapInvoker, std::less<>> maps;
  std::map<std::string, std::string, std::less<>> map_descriptions;
  // Its methods may run on several threads at once (ThreadSafe()).
  bool thread_safe = false;
  // Ray concurrency groups, name and size, in declaration order; and method -> group.
  std::vector<std::pair<std::string, int>> concurrency_groups;
  std::map<std::string, std::string, std::less<>> method_groups;
  // The Ray options its actors are created with unless a creation gives its own
  // (Options(), GORAY_ACTOR_OPTIONS): a JSON object's text, "" for none.
  std::string options;
  // True for AddActor's types: their factory decodes with DecodeArgs before anything
  // else, so a dry run checks the arguments and builds nothing.
  bool checks_arguments = false;
  // The typed entries of its constructor's and plain methods' forms (detail/typed_entry.h).
  std::vector<detail::TypedEntry> typed_entries;
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
  using type = std::tuple<typename ParameterStorage<P>::type...>;
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

// Decodes every argument, checking the count first. A dry run stops here, with
// ArgumentsFit.
template <class ParamTuple>
auto DecodeArgs(const ArgList& args) {
  using Values = typename DecayedTuple<ParamTuple>::type;
  constexpr std::size_t kCount = std::tuple_size_v<Values>;
  args.RequireCount(kCount);
  Values values = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Values{args.template Get<std::tuple_element_t<I, Values>>(I)...};
  }(std::make_index_sequence<kCount>{});
  if (args.dry_run()) throw ArgumentsFit{};
  return values;
}

// One result value (a callable's result, or an element of its tuple). A large
// byte vector a handoff command (34/35) returns moves into its owner and is
// handed over: the driver reads the vector's own memory, no copy into the reply
// (docs/protocol.md §10, "Arrays out of band"). A MovableResult (an Eigen matrix)
// moves into the owner of its encoded array the same way.
template <class V>
void EncodeResult(codec::Packer& packer, V&& value) {
  using Plain = std::remove_cvref_t<V>;
  if constexpr (codec::detail::kIsBytes<Plain> && !std::is_lvalue_reference_v<V> &&
                !std::is_const_v<std::remove_reference_t<V>>) {
    if (value.size() >= codec::detail::kHandoffBytesFrom &&
        codec::detail::CurrentArrayEncoding() == codec::detail::ArrayEncoding::kHandoff) {
      auto owner = std::make_shared<Plain>(std::move(value));
      const void* data = owner->data();
      const std::size_t size = owner->size();
      codec::detail::EncodeBytesHandoff(packer, data, size, std::move(owner));
      return;
    }
  }
  if constexpr (codec::detail::MovableResult<Plain>::value && !std::is_lvalue_reference_v<V> &&
                !std::is_const_v<std::remove_reference_t<V>>) {
    codec::detail::MovableResult<Plain>::Encode(packer, std::move(value));
    return;
  }
  codec::Encode(packer, value);
}

// Appends a function's results as a native return block: nothing for void,
// each element for a std::tuple, else one value.
template <class R>
void EncodeResults(codec::Buffer& out, R&& result) {
  codec::detail::ResultEncodingScope arrays(out);
  codec::Packer packer(out);
  using Plain = std::remove_cvref_t<R>;
  try {
    if constexpr (IsTuple<Plain>::value) {
      std::apply(
          [&](auto&&... element) {
            (EncodeResult(packer, std::forward<decltype(element)>(element)), ...);
          },
          std::forward<R>(result));
    } else {
      EncodeResult(packer, std::forward<R>(result));
    }
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn("the result", error);
  }
}

// Calls `call()` and encodes what it returns as R (nothing for void).
template <class R, class Call>
void EncodeCall(codec::Buffer& out, Call&& call) {
  if constexpr (std::is_void_v<R>) {
    call();
  } else {
    EncodeResults(out, [&]() -> R { return call(); }());
  }
}

// The one way a call picks among a callable's forms (defaults give shorter ones): runs
// `call(decoded values...)` if `args` holds as many values as ParamTuple and returns
// true; false otherwise. A callable's only form runs whatever the count (`only`), so
// DecodeArgs reports a wrong one.
template <class ParamTuple, class Call>
bool ApplyIfArity(const ArgList& args, bool only, Call&& call) {
  if (!only && args.size() != std::tuple_size_v<ParamTuple>) return false;
  auto values = DecodeArgs<ParamTuple>(args);
  std::apply([&](auto&... value) { call(std::move(value)...); }, values);
  return true;
}

// As ApplyIfArity, for a callable returning Generator<T>: decodes the arguments into a
// new stream and creates the generator from them, or returns null for another count.
template <class ParamTuple, class T, class Call>
std::unique_ptr<ItemStream> StartIfArity(const ArgList& args, bool only, std::shared_ptr<void> self,
                                         Call&& call) {
  if (!only && args.size() != std::tuple_size_v<ParamTuple>) return nullptr;
  auto values = DecodeArgs<ParamTuple>(args);
  auto stream = std::make_unique<GeneratorStream<decltype(values), T>>(std::move(self),
                                                                       std::move(values));
  stream->template Start<ParamTuple>(call);
  return stream;
}

// The item type of a generator callable; checks its parameters and that every shorter
// form (`Shorter`) returns the same.
template <class Fn, class... Shorter>
struct GeneratorForms {
  using Result = typename CallableTraits<Fn>::Result;
  using Item = typename GeneratorResult<Result>::Item;
  static constexpr bool kSameResults =
      (std::is_same_v<typename CallableTraits<Shorter>::Result, Result> && ...);
  static_assert(kSameResults,
                "goray: every shorter form of a generator returns the same goray::Generator<T>");
  static constexpr bool kChecked = [] {
    CheckGeneratorParameters<typename CallableTraits<Fn>::ParamTuple>();
    (CheckGeneratorParameters<typename CallableTraits<Shorter>::ParamTuple>(), ...);
    return true;
  }();
};

template <class R>
constexpr bool kIsGenerator = GeneratorResult<R>::value;

// Registers `starter` as a streaming method of `type`, and as a method that runs it
// to its end (registration.cpp).
void AddMethodStream(ActorType& type, std::string name, MethodStreamStarter starter);
void DeclareConcurrencyGroup(ActorType& type, std::string name, int size);
void AssignMethodGroup(ActorType& type, std::string method, std::string group);
void DeclareActorOptions(ActorType& type, std::string_view json);

// The call of member function `method` on `object` with decoded arguments (an actor's
// methods and a task's member functions alike).
template <class Method, class Object>
auto BoundCall(Method& method, Object& object) {
  return [&method, &object](auto&&... values) -> decltype(auto) {
    return std::invoke(Invocable(method), object, std::forward<decltype(values)>(values)...);
  };
}

// The call of `fn` with decoded arguments: a member function runs on the shared
// instance of its class, looked up once here (a map loop makes one per chunk, not per
// item).
template <class Fn>
auto ChunkCall(Fn& fn) {
  using Owner = typename CallableTraits<Fn>::Owner;
  if constexpr (std::is_void_v<Owner>) {
    return [&fn](auto&&... values) -> decltype(auto) {
      return std::invoke(Invocable(fn), std::forward<decltype(values)>(values)...);
    };
  } else {
    return BoundCall(fn, SharedInstance<Owner>());
  }
}

// Calls a callable with decoded arguments, once.
template <class Fn>
decltype(auto) CallWith(Fn& fn, auto&&... values) {
  return ChunkCall(fn)(std::forward<decltype(values)>(values)...);
}

// Runs the form `fn` of a task (through CallWith) as ApplyIfArity does, encoding its result.
template <class Fn>
bool InvokeIfArity(const ArgList& args, codec::Buffer& out, bool only, Fn& fn) {
  using Traits = CallableTraits<Fn>;
  return ApplyIfArity<typename Traits::ParamTuple>(args, only, [&](auto&&... values) {
    EncodeCall<typename Traits::Result>(out, [&]() -> decltype(auto) {
      return CallWith(fn, std::forward<decltype(values)>(values)...);
    });
  });
}

// The wrong-count error of a callable that also accepts shorter calls (defaults):
// `counts` are the argument counts it accepts.
[[noreturn]] inline void ThrowArgumentCount(const ArgList& args,
                                            std::initializer_list<std::size_t> counts) {
  std::size_t fewest = *std::min_element(counts.begin(), counts.end());
  std::size_t most = *std::max_element(counts.begin(), counts.end());
  if (fewest == most) throw ArgumentError(std::string(args.callee()), most, args.size());
  throw ArgumentError(std::string(args.callee()), fewest, most, args.size());
}

// As ThrowArgumentCount for a map chunk, whose first argument is its header.
[[noreturn]] inline void ThrowMapArgumentCount(const ArgList& args,
                                               std::initializer_list<std::size_t> counts) {
  std::size_t fewest = *std::min_element(counts.begin(), counts.end());
  std::size_t most = *std::max_element(counts.begin(), counts.end());
  const std::size_t received = args.size() == 0 ? 0 : args.size() - 1;
  if (fewest == most) throw ArgumentError(std::string(args.callee()), most, received);
  throw ArgumentError(std::string(args.callee()), fewest, most, received);
}

// The parameters of a callable after its first (an actor method's shorter call takes
// the actor first).
template <class Tuple>
struct DropFirst;
template <class First, class... Rest>
struct DropFirst<std::tuple<First, Rest...>> {
  using type = std::tuple<Rest...>;
};

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

// The typed entry of one form of a task: `fn` called as CallWith calls it.
template <class Fn>
TypedEntry TypedTaskForm(const std::string& name, Fn fn) {
  using Traits = CallableTraits<Fn>;
  auto call = [fn](void*, auto&&... values) mutable -> decltype(auto) {
    return CallWith(fn, std::forward<decltype(values)>(values)...);
  };
  using Form =
      typename TypedFormOf<typename Traits::Result, typename Traits::ParamTuple, decltype(call)>::type;
  return Form::Make(TypedKind::kTask, "", name, name, std::move(call));
}

// The typed entry of an actor's constructor form `make` (a factory), its result owned.
template <class T, class Make>
TypedEntry TypedConstructorForm(const std::string& type, Make make) {
  using Traits = CallableTraits<Make>;
  auto call = [make](void*, auto&&... values) mutable -> std::shared_ptr<void> {
    return Own<T>(CallWith(make, std::forward<decltype(values)>(values)...));
  };
  using Form = typename TypedFormOf<std::shared_ptr<void>, typename Traits::ParamTuple,
                                    decltype(call)>::type;
  return Form::Make(TypedKind::kConstructor, type, type, type, std::move(call));
}

// The typed entry of a method (`shorter` false: a member function of T) or of one of
// its shorter forms (`shorter` true: a callable taking T& first).
template <bool kShorter, class Tuple>
struct FormParams {
  using type = Tuple;
};
template <class Tuple>
struct FormParams<true, Tuple> {
  using type = typename DropFirst<Tuple>::type;
};

template <class T, bool kShorter, class Method>
TypedEntry TypedMethodForm(const std::string& type, const std::string& name, Method method) {
  using Traits = CallableTraits<Method>;
  using Params = typename FormParams<kShorter, typename Traits::ParamTuple>::type;
  auto call = [method](void* self, auto&&... values) mutable -> decltype(auto) {
    T& object = *static_cast<T*>(self);
    if constexpr (kShorter) {
      return method(object, std::forward<decltype(values)>(values)...);
    } else {
      return BoundCall(method, object)(std::forward<decltype(values)>(values)...);
    }
  };
  using Form = typename TypedFormOf<typename Traits::Result, Params, decltype(call)>::type;
  return Form::Make(TypedKind::kMethod, type, name, type + "." + name, std::move(call));
}

}  // namespace goray::detail

// Adds methods to an actor type of class T.
template <class T>
class ActorTypeBuilder {
 public:
  // For a type AddActor made, or one AddActorType made with a custom factory (whose
  // arguments a dry run then leaves unchecked: only AddActor sets checks_arguments).
  explicit ActorTypeBuilder(ActorType& type) : type_(&type) {}

  // `method` is a member function of T or of a public base of T. Each of `shorter`
  // (for default arguments) takes a T& and fewer arguments, and calls the method with
  // them; a call runs whichever takes as many arguments as it brings.
  template <class Method, class... Shorter>
  ActorTypeBuilder& AddMethod(std::string name, Method method, Shorter... shorter) {
    using Traits = detail::CallableTraits<Method>;
    using Owner = typename Traits::Owner;
    static_assert(std::is_base_of_v<Owner, T>, "goray: the method is not a member of the actor");
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    if (type_->methods.count(name) != 0) {
      throw std::logic_error("goray: method " + name + " of actor type " + type_->name +
                             " registered twice");
    }
    if constexpr (detail::kIsGenerator<typename Traits::Result>) {
      AddStreamingMethod(std::move(name), method, shorter...);
    } else {
      AddPlainMethod(std::move(name), method, shorter...);
    }
    return *this;
  }

  // Its methods may run on several threads at once: the driver then allows
  // max_concurrency > 1 and concurrency groups.
  ActorTypeBuilder& ThreadSafe() {
    type_->thread_safe = true;
    return *this;
  }

  // A Ray concurrency group of `size` threads (size >= 1, else std::invalid_argument; a
  // name declared twice, or a type not ThreadSafe() first: std::logic_error).
  ActorTypeBuilder& ConcurrencyGroup(std::string name, int size) {
    detail::DeclareConcurrencyGroup(*type_, std::move(name), size);
    return *this;
  }

  // The Ray actor options (a JSON object, like R"({"max_restarts": 3})") every actor of
  // the type is created with, from Python and from C++'s NewActor, unless the creation
  // gives its own (those win, option by option). Not a JSON object: std::invalid_argument.
  ActorTypeBuilder& Options(std::string_view json) {
    detail::DeclareActorOptions(*type_, json);
    return *this;
  }

  // Runs `method` (added before) in the concurrency group `group` (declared before);
  // std::logic_error otherwise.
  ActorTypeBuilder& MethodGroup(std::string method, std::string group) {
    detail::AssignMethodGroup(*type_, std::move(method), std::move(group));
    return *this;
  }

 private:
  template <class Method, class... Shorter>
  void AddPlainMethod(std::string name, Method method, Shorter... shorter) {
    using Traits = detail::CallableTraits<Method>;
    const std::string map_name = name;
    type_->typed_entries.push_back(detail::TypedMethodForm<T, false>(type_->name, name, method));
    (type_->typed_entries.push_back(detail::TypedMethodForm<T, true>(type_->name, name, shorter)), ...);
    type_->methods.emplace(std::move(name), [method, shorter...](
                                                void* self, const ArgList& args,
                                                codec::Buffer& out) mutable {
      T& object = *static_cast<T*>(self);
      bool ran = detail::ApplyIfArity<typename Traits::ParamTuple>(
          args, sizeof...(Shorter) == 0, [&](auto&&... values) {
            detail::EncodeCall<typename Traits::Result>(out, [&]() -> decltype(auto) {
              return detail::BoundCall(method, object)(std::forward<decltype(values)>(values)...);
            });
          });
      if (!(ran || ... || InvokeShorter(object, args, out, shorter))) {
        detail::ThrowArgumentCount(
            args, {Traits::kArity, (detail::CallableTraits<Shorter>::kArity - 1)...});
      }
    });
    AddMethodMap(map_name, method, shorter...);
  }

  // The method's map loop: every item through the same instance.
  template <class Method, class... Shorter>
  void AddMethodMap(const std::string& name, Method method, Shorter... shorter) {
    using Traits = detail::CallableTraits<Method>;
    type_->map_descriptions.emplace(name, detail::MapDescription<Method>());
    type_->maps.emplace(name, [method, shorter...](void* self, const ArgList& args,
                                                   codec::Buffer& out) mutable {
      T& object = *static_cast<T*>(self);
      bool ran = detail::MapIfArity<typename Traits::ParamTuple, typename Traits::Result>(
          args, out, sizeof...(Shorter) == 0, [&] { return detail::BoundCall(method, object); });
      if (!(ran || ... || MapShorter(object, args, out, shorter))) {
        detail::ThrowMapArgumentCount(
            args, {Traits::kArity, (detail::CallableTraits<Shorter>::kArity - 1)...});
      }
    });
  }

  template <class Shorter>
  static bool MapShorter(T& object, const ArgList& args, codec::Buffer& out, Shorter& call) {
    using Traits = detail::CallableTraits<Shorter>;
    using Params = typename detail::DropFirst<typename Traits::ParamTuple>::type;
    return detail::MapIfArity<Params, typename Traits::Result>(
        args, out, /*only=*/false, [&] {
          return [&](auto&&... values) -> decltype(auto) {
            return call(object, std::forward<decltype(values)>(values)...);
          };
        });
  }

  template <class Method, class... Shorter>
  void AddStreamingMethod(std::string name, Method method, Shorter... shorter) {
    using Traits = detail::CallableTraits<Method>;
    using Forms = detail::GeneratorForms<Method, Shorter...>;
    static_assert(Forms::kChecked);
    using Item = typename Forms::Item;
    type_->typed_entries.push_back(detail::TypedMethodForm<T, false>(type_->name, name, method));
    (type_->typed_entries.push_back(detail::TypedMethodForm<T, true>(type_->name, name, shorter)), ...);
    detail::AddMethodStream(
        *type_, std::move(name),
        [method, shorter...](std::shared_ptr<void> self,
                             const ArgList& args) mutable -> std::unique_ptr<ItemStream> {
          T& object = *static_cast<T*>(self.get());
          std::unique_ptr<ItemStream> stream =
              detail::StartIfArity<typename Traits::ParamTuple, Item>(
                  args, sizeof...(Shorter) == 0, self, detail::BoundCall(method, object));
          if (!stream) {
            (void)((stream = StartShorter<Item>(object, self, args, shorter)) || ...);
          }
          if (!stream) {
            detail::ThrowArgumentCount(
                args, {Traits::kArity, (detail::CallableTraits<Shorter>::kArity - 1)...});
          }
          return stream;
        });
  }

  template <class Item, class Shorter>
  static std::unique_ptr<ItemStream> StartShorter(T& object, const std::shared_ptr<void>& self,
                                                  const ArgList& args, Shorter& call) {
    using Params =
        typename detail::DropFirst<typename detail::CallableTraits<Shorter>::ParamTuple>::type;
    return detail::StartIfArity<Params, Item>(args, /*only=*/false, self, [&](auto&&... values) {
      return call(object, std::forward<decltype(values)>(values)...);
    });
  }

  template <class Shorter>
  static bool InvokeShorter(T& object, const ArgList& args, codec::Buffer& out,
                            Shorter& call) {
    using Traits = detail::CallableTraits<Shorter>;
    using Params = typename detail::DropFirst<typename Traits::ParamTuple>::type;
    return detail::ApplyIfArity<Params>(args, /*only=*/false, [&](auto&&... values) {
      detail::EncodeCall<typename Traits::Result>(out, [&]() -> decltype(auto) {
        return call(object, std::forward<decltype(values)>(values)...);
      });
    });
  }

  ActorType* type_;
};

// The application's table, filled by RegisterApplication (see above).
class Registry {
 public:
  using Driver = std::function<int(const std::vector<std::string>&)>;

  // A free function, a lambda, or a member function of a GORAY_TASKS struct. Each of
  // `shorter` (for default arguments: lambdas calling `fn` with fewer arguments, so
  // the compiler supplies the defaults) takes fewer parameters; a call runs whichever
  // takes as many arguments as it brings.
  template <class Fn, class... Shorter>
  void AddTask(std::string name, Fn fn, Shorter... shorter) {
    using Traits = detail::CallableTraits<Fn>;
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    if constexpr (detail::kIsGenerator<typename Traits::Result>) {
      AddStreamingTask(std::move(name), fn, shorter...);
    } else {
      const std::string name_copy = name;
      typed_tasks_.push_back(detail::TypedTaskForm(name, fn));
      (typed_tasks_.push_back(detail::TypedTaskForm(name, shorter)), ...);
      AddTaskInvoker(std::move(name), [fn, shorter...](const ArgList& args,
                                                       codec::Buffer& out) mutable {
        if (!(detail::InvokeIfArity(args, out, sizeof...(Shorter) == 0, fn) || ... ||
              detail::InvokeIfArity(args, out, /*only=*/false, shorter))) {
          detail::ThrowArgumentCount(
              args, {Traits::kArity, detail::CallableTraits<Shorter>::kArity...});
        }
      });
      AddTaskMap(name_copy, detail::MapDescription<Fn>(),
                 [fn, shorter...](void*, const ArgList& args, codec::Buffer& out) mutable {
                   auto form = [&](auto& callable, bool only) {
                     using Form = std::remove_reference_t<decltype(callable)>;
                     return detail::MapFormIfArity<Form>(
                         args, out, only, [&] { return detail::ChunkCall(callable); });
                   };
                   if (!(form(fn, sizeof...(Shorter) == 0) || ... || form(shorter, false))) {
                     detail::ThrowMapArgumentCount(
                         args, {Traits::kArity, detail::CallableTraits<Shorter>::kArity...});
                   }
                 });
    }
  }

  // An actor type of class T built by `factory` (returning T, std::unique_ptr<T>
  // or T*); a member function of a GORAY_ACTORS struct runs on its shared instance.
  // `shorter`: as for AddTask (factories or constructors with fewer parameters).
  template <class T, class Factory, class... Shorter>
  ActorTypeBuilder<T> AddActor(std::string name, Factory factory, Shorter... shorter) {
    using Traits = detail::CallableTraits<Factory>;
    detail::CheckParameterKinds<typename Traits::ParamTuple>();
    ActorType& type = AddActorType(std::move(name), [factory, shorter...](
                                                        const ArgList& args) mutable {
      std::shared_ptr<void> made;
      auto build = [&](auto& make, bool only) {
        using Params = typename detail::CallableTraits<
            std::remove_reference_t<decltype(make)>>::ParamTuple;
        return detail::ApplyIfArity<Params>(args, only, [&](auto&&... values) {
          made = detail::Own<T>(
              detail::CallWith(make, std::forward<decltype(values)>(values)...));
        });
      };
      if (!(build(factory, sizeof...(Shorter) == 0) || ... || build(shorter, false))) {
        detail::ThrowArgumentCount(
            args, {Traits::kArity, detail::CallableTraits<Shorter>::kArity...});
      }
      return made;
    });
    type.checks_arguments = true;  // the factory decodes with DecodeArgs first
    type.typed_entries.push_back(detail::TypedConstructorForm<T>(type.name, factory));
    (type.typed_entries.push_back(detail::TypedConstructorForm<T>(type.name, shorter)), ...);
    return ActorTypeBuilder<T>(type);
  }

  void SetDriver(int (*driver)());
  void SetDriver(int (*driver)(const std::vector<std::string>&));
  // A JSON object of ray.init options; validated here.
  void SetInitOptions(std::string_view json);
  // The parameters goray-gen read, for keyword arguments from Python (a JSON object:
  // {"tasks": {name: [param...]}, "actors": {type: {"params": [...], "methods": {m: [...]}}}},
  // a param {"name": n} with "has_default" and "default" as in the IDL); DescribeApplication
  // answers them (docs/protocol.md §13). Validated here.
  void SetParameters(std::string_view json);
  // The application's name (goray-gen's NAME): its typed entries' extension module is
  // `_<name>_entries` (docs/protocol.md §17).
  // `signatures`: the fingerprint goray-gen gives the entries module too (§17).
  void SetName(std::string name, std::string signatures = "") {
    name_ = std::move(name);
    signatures_ = std::move(signatures);
  }
  const std::string& name() const noexcept { return name_; }
  const std::string& signatures() const noexcept { return signatures_; }

  // Raw registration, for invokers built elsewhere. Duplicate names throw std::logic_error.
  void AddTaskInvoker(std::string name, TaskInvoker invoker);
  // A task that streams: `starter` starts it item by item, and its TaskInvoker runs it to
  // its end, answering a list of its items.
  void AddTaskStream(std::string name, StreamStarter starter);
  ActorType& AddActorType(std::string name, ActorFactory factory);

  // A task's map loop (goray.map) and what it takes and answers (JSON); AddTask adds
  // one for every task that does not stream.
  void AddTaskMap(std::string name, std::string description, MapInvoker invoker);

  const TaskInvoker* FindTask(std::string_view name) const;
  const MapInvoker* FindTaskMap(std::string_view name) const;
  // The description of the task's map loop, or null.
  const std::string* FindTaskMapDescription(std::string_view name) const;
  // The task's starter if it streams (returns goray::Generator<T>), else null.
  const StreamStarter* FindTaskStream(std::string_view name) const;
  const ActorType* FindActorType(std::string_view name) const;
  // The actor type, or goray::UnknownNameError listing the known ones.
  const ActorType& ActorTypeOrThrow(std::string_view name) const;
  const std::optional<Driver>& driver() const noexcept { return driver_; }
  const std::string& init_options() const noexcept { return init_options_; }
  const std::string& parameters() const noexcept { return parameters_; }
  std::vector<std::string> TaskNames() const;       // sorted
  std::vector<std::string> ActorTypeNames() const;  // sorted
  // Every task's typed entries (an actor type's are its own: ActorType::typed_entries).
  const std::vector<detail::TypedEntry>& typed_tasks() const noexcept { return typed_tasks_; }
  // Every actor type, by name.
  const std::map<std::string, ActorType, std::less<>>& actor_types() const noexcept {
    return actor_types_;
  }

 private:
  template <class Fn, class... Shorter>
  void AddStreamingTask(std::string name, Fn fn, Shorter... shorter) {
    using Traits = detail::CallableTraits<Fn>;
    using Forms = detail::GeneratorForms<Fn, Shorter...>;
    static_assert(Forms::kChecked);
    using Item = typename Forms::Item;
    typed_tasks_.push_back(detail::TypedTaskForm(name, fn));
    (typed_tasks_.push_back(detail::TypedTaskForm(name, shorter)), ...);
    AddTaskStream(std::move(name), [fn, shorter...](
                                       const ArgList& args) mutable -> std::unique_ptr<ItemStream> {
      auto start = [&](auto& form, bool only) {
        using Params = typename detail::CallableTraits<
            std::remove_reference_t<decltype(form)>>::ParamTuple;
        return detail::StartIfArity<Params, Item>(args, only, nullptr, [&](auto&&... values) {
          return detail::CallWith(form, std::forward<decltype(values)>(values)...);
        });
      };
      std::unique_ptr<ItemStream> stream = start(fn, sizeof...(Shorter) == 0);
      if (!stream) (void)((stream = start(shorter, false)) || ...);
      if (!stream) {
        detail::ThrowArgumentCount(
            args, {Traits::kArity, detail::CallableTraits<Shorter>::kArity...});
      }
      return stream;
    });
  }

  std::map<std::string, TaskInvoker, std::less<>> tasks_;
  std::map<std::string, StreamStarter, std::less<>> task_streams_;
  std::map<std::string, std::pair<std::string, MapInvoker>, std::less<>> task_maps_;
  // std::map keeps ActorType addresses stable for the builders handed out.
  std::map<std::string, ActorType, std::less<>> actor_types_;
  std::optional<Driver> driver_;
  std::string init_options_ = "{}";
  std::string parameters_ = "{}";
  std::string name_;
  std::string signatures_;
  std::vector<detail::TypedEntry> typed_tasks_;
};

// Defined by the application (goray-gen writes it); called once, on first use.
void RegisterApplication(Registry& registry);

namespace detail {
// The native actor type registered as `type_name` in this library's application (defined
// with it, application/application.cpp); throws goray::Error when none is. NewActor
// passes it to ActorHandle's ActorMethodsJson.
const ActorType& NativeActorType(std::string_view type_name);
}  // namespace detail

}  // namespace goray
