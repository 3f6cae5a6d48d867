// Compiles only after its includer defines APP_DEFAULT: NAME.goray.h must not include it
// (it declares nothing goray registers or names).
#pragma once

struct Cfg {
  int v = APP_DEFAULT;
};
