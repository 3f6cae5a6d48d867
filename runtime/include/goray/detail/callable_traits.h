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

// A pointer to a member function of a base of Class, as a pointer to a member of
// Class (an implicit conversion): a task a public base of a GORAY_TASKS struct declares
// then runs on the struct's shared instance, not on one of the base's own.
template <class Class, class F>
struct AsMemberOf;

#define GORAY_AS_MEMBER_OF_(quals)                                          \
  template <class Class, class R, class C, class... A>                     \
  struct AsMemberOf<Class, R (C::*)(A...) quals> {                          \
    using type = R (Class::*)(A...) quals;                                  \
  };                                                                        \
  template <class Class, class R, class C, class... A>                     \
  struct AsMemberOf<Class, R (C::*)(A...) quals noexcept> {                 \
    using type = R (Class::*)(A...) quals noexcept;                         \
  };
GORAY_AS_MEMBER_OF_()
GORAY_AS_MEMBER_OF_(const)
GORAY_AS_MEMBER_OF_(&)
GORAY_AS_MEMBER_OF_(const&)
#undef GORAY_AS_MEMBER_OF_

template <class Class, class F>
constexpr typename AsMemberOf<Class, F>::type MemberOf(F function) {
  return function;
}

template <class T>
struct IsTuple : std::false_type {};
template <class... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

}  // namespace goray::detail
