// A header outside the sources' root (found through -I): not scanned.
#pragma once

struct Other {
  int value = 0;
};
