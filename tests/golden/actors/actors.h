// Actor types: factories returning T, std::unique_ptr<T> and T*; GORAY_ACTOR classes
// with one constructor and with the implicit default one; methods from public bases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <goray/annotations.h>

namespace zoo {

class Named {
 public:
  std::string Name() const;
  void Rename(const std::string& name);

 protected:
  void Secret();
};

/// An animal that speaks.
class Animal : public Named {
 public:
  explicit Animal(std::string sound);
  /// Speaks once.
  std::string Speak() const;
  void Rename(const std::string& name);  // hides Named::Rename
  static Animal Make();                  // static: not a method
  Animal& operator=(const Animal&) = default;

 private:
  void Think();
  std::string sound_;
};

class Counter : private Named {  // a private base: its methods are not the actor's
 public:
  int64_t Count();
};

}  // namespace zoo

/// Sums numbers.
class GORAY_ACTOR Accumulator {
 public:
  Accumulator(double start, std::string name);
  Accumulator(const Accumulator&) = default;
  Accumulator(Accumulator&&) = default;
  double Add(double x);
  double Total() const;

 private:
  explicit Accumulator(int hidden);  // private: not how goray builds it
  double total_ = 0;
};

class GORAY_ACTOR Pinger {
 public:
  void Ping();
};

struct GORAY_ACTORS Zoo {
  /// A dog.
  static std::unique_ptr<zoo::Animal> Dog(std::string sound);
  zoo::Animal Cat();  // by value, from the shared Zoo instance
  static zoo::Counter* Tally(int64_t start);
};
