// Benchmark library for in-process call latency in both directions.
//   Add:            the Python -> C++ call being measured.
//   CallPyAdd:      n calls C++ -> Python `add(i, 1)` through the goray API.
//   CallRawCallback n calls of a bare callback (its address given by Python)
//                   with the payload LocalCallPyTask would send: the floor.
#include <goray/goray.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

using RawCallback = void* (*)(long long, void*, long long, long long*, long long*);

int64_t Add(int64_t a, int64_t b) { return a + b; }

int64_t CallPyAdd(int64_t count) {
  int64_t sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += goray::LocalCallPyTask("add", i, int64_t{1}).Get<int64_t>();
  return sum;
}

std::string AddPayload() {
  // Same bytes as LocalCallPyTask("add", 7, 1) sends: units(args block, JSON).
  std::string payload;
  auto unit = [&](std::string_view bytes) {
    uint64_t length = bytes.size();
    for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    payload.append(bytes);
  };
  unit(std::string("\x07\x01", 2));
  unit(R"({"go_ray_arg_pos_to_object":{},"goray_task_name":"add"})");
  return payload;
}

int64_t CallRawCallback(uint64_t address, int64_t count) {
  auto callback = reinterpret_cast<RawCallback>(address);
  std::string payload = AddPayload();
  for (int64_t i = 0; i < count; ++i) {
    long long out_len = 0;
    long long code = 1;
    void* out = callback(0, payload.data(), static_cast<long long>(payload.size()), &out_len, &code);
    if (code != 0) throw std::runtime_error("the raw callback failed");
    std::free(out);
  }
  return count;
}

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Add", &Add);
  registry.AddTask("CallPyAdd", &CallPyAdd);
  registry.AddTask("CallRawCallback", &CallRawCallback);
}
