#include "actors.h"

#include "child.hpp"

std::unique_ptr<Child> Actors::Make() { return std::make_unique<Child>(); }
