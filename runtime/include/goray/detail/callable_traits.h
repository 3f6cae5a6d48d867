// Compile-time facts about a callable: its result, parameters and owning class.
// Covers free functions, member functions (any cv/ref/noexcept) and lambdas.
#pragma once

#include <tuple>
#include <type_traits>

namespace goray::detail {

template <class R, class Class, class... Params>
struct CallableFacts {
  using Result = R;
  using Owner = Class;  // void for free functions and lambdas
  using ParamTuple = std::tuple<Params...>;
  static constexpr std::size_t kArity = sizeof...(Params);
};

template <class F, class = void>
struct CallableTraits;

template <class R, class... A>
struct CallableTraits<R (*)(A...)> : CallableFacts<R, void, A...> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...) noexcept> : CallableFacts<R, void, A...> {};

#define GORAY_MEMBER_TRAITS_(quals)                                   \
  template <class R, class C, class... A>                             \
  struct CallableTraits<R (C::*)(A...) quals> : CallableFacts<R, C, A...> {}; \
  template <class R, class C, class... A>                             \
  struct CallableTraits<R (C::*)(A...) quals noexcept> : CallableFacts<R, C, A...> {};
GORAY_MEMBER_TRAITS_()
GORAY_MEMBER_TRAITS_(const)
GORAY_MEMBER_TRAITS_(&)
GORAY_MEMBER_TRAITS_(const&)
#undef GORAY_MEMBER_TRAITS_

// A lambda or function object with one (non-overloaded, non-template) operator().
template <class Lambda>
struct CallableTraits<Lambda, std::void_t<decltype(&Lambda::operator())>> {
 private:
  using Call = CallableTraits<decltype(&Lambda::operator())>;

 public:
  using Result = typename Call::Result;
  using Owner = void;
  using ParamTuple = typename Call::ParamTuple;
  static constexpr std::size_t kArity = Call::kArity;
};

// A member function a public base of Class declares, called on a Class instance: a task
// a base of a GORAY_TASKS struct declares runs on the struct's shared instance, not on
// one of the base's own. A wrapper, not a converted member pointer, since no pointer to
// a member of a virtual base converts to a pointer to a member of the derived class.
template <class Class, class F>
struct InheritedMember {
  F function;
};

template <class Class, class F>
struct CallableTraits<InheritedMember<Class, F>> : CallableTraits<F> {
  using Owner = Class;
};

template <class Class, class F>
constexpr InheritedMember<Class, F> MemberOf(F function) {
  static_assert(std::is_base_of_v<typename CallableTraits<F>::Owner, Class>,
                "goray: the task is not a member of the GORAY_TASKS struct");
  return {function};
}

// A function known at compile time: the generated tables register every task and method
// as one, so that a call through it is a direct call the compiler can inline (into a
// map's loop over items, and vectorise there with the flags that allow it).
template <auto F>
struct Fixed {};

template <auto F>
struct CallableTraits<Fixed<F>> : CallableTraits<std::remove_cvref_t<decltype(F)>> {};

// What std::invoke calls for `fn`: the member function an InheritedMember wraps, the
// function a Fixed names, else fn.
template <class F>
constexpr F& Invocable(F& fn) {
  return fn;
}
template <class Class, class F>
constexpr F& Invocable(InheritedMember<Class, F>& fn) {
  return fn.function;
}
template <auto F>
constexpr auto Invocable(Fixed<F>&) {
  auto function = F;
  return Invocable(function);
}

template <class T>
struct IsTuple : std::false_type {};
template <class... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

}  // namespace goray::detail
