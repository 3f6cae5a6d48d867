#include "service.h"

int svc::Main() { return 0; }
