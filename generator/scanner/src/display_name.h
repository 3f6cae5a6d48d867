// How messages show a qualified name: without the leading "::" the IDL and generated code
// need ("geo::Point" for "::geo::Point").
#pragma once

#include <string>

namespace goray::scan {

inline std::string Display(const std::string& qualified) {
  return qualified.rfind("::", 0) == 0 ? qualified.substr(2) : qualified;
}

}  // namespace goray::scan
