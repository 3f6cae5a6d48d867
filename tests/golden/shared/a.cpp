#include "service.h"

svc::Service::Reply svc::Service::Answer(const std::string& question) { return {question}; }
