// Benchmark driver for Ray's own C++ API. Runs the phases named by --phases and prints,
// on stdout, "RAYCPP_BEGIN <phase>" before each and "RAYCPP_RESULT <json>" after it, so
// run.py can tell which phase a crash (Ray aborts on some errors) happened in.
//   raycpp_bench --phases=task,actor,bytes:64,floats:1,memcpy:256,scale:64,map:20000 --rounds=7 --tasks=2000
//       --payload-rounds=5 --ray_address=127.0.0.1:PORT --ray_node_ip_address=127.0.0.1
//       --ray_code_search_path=DIR
// Arguments starting with --ray_ go to ray::Init unchanged.
#include <ray/api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tasks.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMiB = 1048576;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Options {
  std::vector<std::string> phases;
  int rounds = 7;
  int tasks = 2000;
  int payload_rounds = 5;
};

std::vector<std::string> Split(const std::string &text, char sep) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, sep);) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::string JsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void Report(const std::string &phase, const std::vector<double> &samples) {
  std::ostringstream json;
  json.precision(6);
  json << "{\"phase\": " << JsonString(phase) << ", \"samples\": [";
  for (size_t i = 0; i < samples.size(); ++i) json << (i ? ", " : "") << samples[i];
  json << "]}";
  std::cout << "RAYCPP_RESULT " << json.str() << std::endl;
}

void ReportError(const std::string &phase, const std::string &message) {
  std::cout << "RAYCPP_RESULT {\"phase\": " << JsonString(phase)
            << ", \"error\": " << JsonString(message) << "}" << std::endl;
}

// Void results: ObjectRef<void>::Get is Ray C++'s fetch for them (it also rethrows a
// task's exception); the batched ray::Get has no void overload.
void FetchAll(const std::vector<ray::ObjectRef<void>> &refs) {
  for (const auto &ref : refs) ref.Get();
}

std::vector<double> TaskThroughput(const Options &opt) {
  std::vector<double> samples;
  for (int round = -1; round < opt.rounds; ++round) {  // round -1: warm-up
    auto start = Clock::now();
    std::vector<ray::ObjectRef<void>> refs;
    refs.reserve(opt.tasks);
    for (int i = 0; i < opt.tasks; ++i) refs.push_back(ray::Task(Noop).Remote());
    FetchAll(refs);
    if (round >= 0) samples.push_back(opt.tasks / Seconds(start));
  }
  return samples;
}

std::vector<double> ActorThroughput(const Options &opt) {
  auto actor = ray::Actor(Sink::Create).Remote();
  std::vector<double> samples;
  for (int round = -1; round < opt.rounds; ++round) {
    auto start = Clock::now();
    std::vector<ray::ObjectRef<void>> refs;
    refs.reserve(opt.tasks);
    for (int i = 0; i < opt.tasks; ++i) refs.push_back(actor.Task(&Sink::Noop).Remote());
    FetchAll(refs);
    if (round >= 0) samples.push_back(opt.tasks / Seconds(start));
  }
  actor.Kill();
  return samples;
}

// One Echo round trip per round: submit, then the returned value in hand (ray::Get).
template <typename T, typename F>
std::vector<double> EchoRoundTrips(F echo, const T &value, size_t bytes, int rounds) {
  std::vector<double> samples;
  for (int round = 0; round < rounds; ++round) {
    auto start = Clock::now();
    auto ref = ray::Task(echo).Remote(value);
    std::shared_ptr<T> back = ray::Get(ref);
    double elapsed = Seconds(start);
    if (back->size() != value.size() || back->front() != value.front() ||
        back->back() != value.back()) {
      throw std::runtime_error("echo returned a different value");
    }
    samples.push_back(bytes / 1e9 / elapsed);
  }
  return samples;
}

std::vector<double> Payload(const std::string &kind, size_t mib, int rounds) {
  size_t bytes = mib * kMiB;
  if (kind == "bytes") {
    std::string value(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i) value[i] = static_cast<char>(i * 31 + 7);
    return EchoRoundTrips(EchoBytes, value, bytes, rounds);
  }
  std::vector<double> value(bytes / sizeof(double));
  for (size_t i = 0; i < value.size(); ++i) value[i] = i * 0.5 + 1;
  return EchoRoundTrips(EchoFloats, value, bytes, rounds);
}

// 2 * a on Ray: the array built here (not timed), then submit and the result in hand.
std::vector<double> Scale(size_t mib, int rounds) {
  std::vector<double> a(mib * kMiB / sizeof(double));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i % 1000);
  std::vector<double> samples;
  for (int round = -1; round < rounds; ++round) {  // round -1: warm-up
    auto start = Clock::now();
    std::shared_ptr<std::vector<double>> back = ray::Get(ray::Task(Scale2).Remote(a));
    double elapsed = Seconds(start);
    if (back->size() != a.size() || (*back)[a.size() - 1] != 2.0 * a[a.size() - 1]) {
      throw std::runtime_error("Scale2 returned a wrong array");
    }
    if (round >= 0) samples.push_back(mib * kMiB / 1e9 / elapsed);
  }
  return samples;
}

// The map benchmark's reference (bench/map.py): one ray::Task(Poly).Remote(x) per item of
// `items` doubles in [-1, 1], all submitted, then every result fetched with one ray::Get;
// items/s per round. A warm-up of 1000 items first (workers started, library loaded).
std::vector<double> PolyMap(size_t items, int rounds) {
  std::vector<double> xs(items);
  for (size_t i = 0; i < items; ++i) xs[i] = -1.0 + 2.0 * static_cast<double>(i % 1000) / 999.0;
  auto run = [&xs](size_t count) {
    std::vector<ray::ObjectRef<double>> refs;
    refs.reserve(count);
    for (size_t i = 0; i < count; ++i) refs.push_back(ray::Task(Poly).Remote(xs[i]));
    std::vector<std::shared_ptr<double>> values = ray::Get(refs);
    for (size_t i : {size_t{0}, count / 2, count - 1}) {
      if (*values[i] != Poly(xs[i])) throw std::runtime_error("Poly returned a wrong value");
    }
  };
  run(std::min<size_t>(items, 1000));
  std::vector<double> samples;
  for (int round = 0; round < rounds; ++round) {
    auto start = Clock::now();
    run(items);
    samples.push_back(static_cast<double>(items) / Seconds(start));
  }
  return samples;
}

std::vector<double> Memcpy(size_t mib) {
  size_t bytes = mib * kMiB;
  std::vector<char> from(bytes, 1), to(bytes, 2);  // allocated and touched up front
  std::vector<double> samples;
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    std::memcpy(to.data(), from.data(), bytes);
    double elapsed = Seconds(start);
    if (to[bytes - 1] != 1) throw std::runtime_error("memcpy check failed");
    samples.push_back(bytes / 1e9 / elapsed);
    to[bytes - 1] = 2;
  }
  return samples;
}

void RunPhase(const std::string &phase, const Options &opt) {
  std::cout << "RAYCPP_BEGIN " << phase << std::endl;
  try {
    auto colon = phase.find(':');
    std::string kind = phase.substr(0, colon);
    size_t mib = colon == std::string::npos ? 0 : std::stoul(phase.substr(colon + 1));
    if (kind == "task") {
      Report(phase, TaskThroughput(opt));
    } else if (kind == "actor") {
      Report(phase, ActorThroughput(opt));
    } else if (kind == "memcpy") {
      Report(phase, Memcpy(mib));
    } else if (kind == "map") {
      Report(phase, PolyMap(mib, opt.rounds));  // map:ITEMS
    } else if (kind == "scale") {
      Report(phase, Scale(mib, opt.payload_rounds));
    } else if (kind == "bytes" || kind == "floats") {
      Report(phase, Payload(kind, mib, opt.payload_rounds));
    } else {
      ReportError(phase, "unknown phase");
    }
  } catch (const std::exception &e) {
    ReportError(phase, e.what());
  }
}

}  // namespace

int main(int argc, char **argv) {
  Options opt;
  std::vector<char *> ray_args = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = arg.substr(arg.find('=') + 1);
    if (arg.rfind("--ray_", 0) == 0) {
      ray_args.push_back(argv[i]);
    } else if (arg.rfind("--phases=", 0) == 0) {
      opt.phases = Split(value, ',');
    } else if (arg.rfind("--rounds=", 0) == 0) {
      opt.rounds = std::stoi(value);
    } else if (arg.rfind("--tasks=", 0) == 0) {
      opt.tasks = std::stoi(value);
    } else if (arg.rfind("--payload-rounds=", 0) == 0) {
      opt.payload_rounds = std::stoi(value);
    } else {
      std::cerr << "unknown argument " << arg << std::endl;
      return 2;
    }
  }
  ray::RayConfig config;
  ray::Init(config, static_cast<int>(ray_args.size()), ray_args.data());
  for (const auto &phase : opt.phases) RunPhase(phase, opt);
  ray::Shutdown();
  return 0;
}
