// Included by a.cpp and b.cpp: its error is reported once.
#pragma once
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Fill(int* out);
};
