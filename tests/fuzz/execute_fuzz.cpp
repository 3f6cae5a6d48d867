// libFuzzer target: the C ABI's Execute with every Py2Native command (0-7 and
// unknown ones), over a registry of a few tasks and actors (arrays among them). The first input byte
// picks the command (and, for 6 and 7, an instance index); the rest is the payload.
// Every answer must be a known code with a well-formed body; nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <complex>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <goray/abi.h>
#include <goray/goray.h>

namespace {

struct Counter {
  explicit Counter(int64_t start) : value(start) {}
  int64_t Incr(int64_t by) { return value += by; }
  std::vector<std::string> Tags(std::map<std::string, int32_t> tags) {
    std::vector<std::string> keys;
    for (auto& [key, count] : tags) keys.push_back(key + std::to_string(count));
    return keys;
  }
  int64_t value;
};

std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) {
  if (b == 0) throw std::domain_error("divide by zero");
  return {a / b, a % b};
}

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Add", [](int64_t a, int64_t b) { return a + b; });
  registry.AddTask("Divide", &Divide);
  registry.AddTask("Concat", [](std::string a, const std::string& b) { return a + b; });
  registry.AddTask("Sum", [](std::vector<double> xs) {
    double total = 0;
    for (double x : xs) total += x;
    return total;
  });
  registry.AddTask("Opt", [](std::optional<uint8_t> x, bool flag) { return flag ? x : std::nullopt; });
  registry.AddTask("Echo", [](goray::Value v) { return v; });
  registry.AddTask("Nothing", [] {});
  // Arrays (ext 71 inline and nested lists; ext 72 is refused: see below).
  registry.AddTask("Scale", [](goray::ArrayView<double> a, double k) {
    goray::Array<double> out = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) out[i] = a[i] * k;
    return out;
  });
  registry.AddTask("SumSpan", [](std::span<const int32_t> xs) {
    int64_t total = 0;
    for (int32_t x : xs) total += x;
    return total;
  });
  registry.AddTask("Conj", [](goray::Array<std::complex<float>> a) {
    for (auto& x : a) x = std::conj(x);
    return std::tuple<goray::Array<std::complex<float>>, int64_t>{std::move(a), 1};
  });
  registry.AddTask("Floats", [](std::vector<float> xs) { return goray::Array<float>(std::move(xs)); });
  // A string column (ext 78 or a list: ext 79 is refused, arrays are never enabled here).
  registry.AddTask("ColumnLengths", [](const goray::BinaryColumn& rows) {
    int64_t total = 0;
    for (auto row : rows) total += row ? static_cast<int64_t>(row->size()) : -1;
    return total;
  });
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr)
      .AddMethod("Tags", &Counter::Tags);
  // No driver: StartDriver answers code 1. Init options are fixed JSON.
  registry.SetInitOptions(R"({"num_cpus": 1})");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Commands 0-7 and unknown ones only: never 33 EnableArrays, so an ext 72
  // (an address, trusted in-process like FreeMemory's pointer) is always refused.
  // Byte 0: low 3 bits the command 0..7; 0xf8 pattern selects other numbers.
  long long command = data[0] & 0x07;
  if ((data[0] & 0xf8) == 0xf8) command = 8 + (data[0] & 0x07) * 100;  // unknown commands
  long long index = (data[0] >> 3) & 0x03;  // instances 0..3: live, closed or never issued
  long long request = command | (index << 10);
  // Keep the driver away from StartDriver's user code (there is none) - it is fine.
  std::vector<uint8_t> payload(data + 1, data + size);  // exact-size heap copy: ASan sees overreads
  long long out_len = -1;
  long long ret_code = -1;
  void* out = Execute(request, payload.empty() ? static_cast<void*>(&out_len) : payload.data(),
                      static_cast<long long>(payload.size()), &out_len, &ret_code);
  if (ret_code < 0 || ret_code > 5 || out_len < 0) std::abort();
  if (goray::codec::detail::ArraysEnabled()) std::abort();
  if ((out == nullptr) != (out_len == 0)) std::abort();
  if (out != nullptr) {
    volatile char sink = 0;
    for (long long i = 0; i < out_len; ++i) sink ^= static_cast<char*>(out)[i];
    FreeMemory(out);
  }
  return 0;
}
