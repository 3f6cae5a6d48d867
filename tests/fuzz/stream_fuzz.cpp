// libFuzzer target: streams through the C ABI (docs/protocol.md §13). Real
// goray::Generator tasks and actor methods are registered; each input is a program of
// StartTaskStream 39, StartMethodStream 40, NextStreamItem 41 (one item, or its batch
// form) and CloseStream 42 (well formed or raw), NewActor 5 / CloseActor 7, and the
// plain 4/6 calls of a generator.
// Nothing may crash; every reply must be well formed and follow §13 (ids never reused, a
// finished or closed stream is code 1); after each input the harness closes what is left
// and checks that every coroutine frame and actor instance is gone (no leaked stream).
#include <algorithm>
#include <atomic>
#include <utility>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <goray/abi.h>
#include <goray/goray.h>

namespace {

// Generator frames and Source instances alive: both must be back to 0 after each input.
std::atomic<int64_t> g_frames{0};
std::atomic<int64_t> g_sources{0};

struct Frame {
  Frame() { ++g_frames; }
  ~Frame() { --g_frames; }
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
};

// The stream the harness resumes with 41 right now (0: none), so that Reenter can call
// Execute on its own stream; set when Reenter closed its own stream from inside.
uint64_t g_resuming = 0;
bool g_closed_itself = false;

struct Reply {
  long long code = -1;
  std::string body;
};

Reply Call(long long command, long long index, const std::string& payload) {
  std::vector<char> in(payload.begin(), payload.end());  // exact size: ASan sees overreads
  long long out_len = -1;
  long long code = -1;
  void* out = Execute(command | (index << 10), in.empty() ? static_cast<void*>(&out_len) : in.data(),
                      static_cast<long long>(in.size()), &out_len, &code);
  if (code < 0 || code > 5 || out_len < 0) std::abort();
  if ((out == nullptr) != (out_len == 0)) std::abort();
  if (goray::codec::detail::ArraysEnabled()) std::abort();  // 33 is never sent
  Reply reply{code, std::string(static_cast<char*>(out), static_cast<size_t>(out_len))};
  if (out != nullptr) FreeMemory(out);
  return reply;
}

std::string U64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

std::string U32(uint32_t value) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

uint32_t ReadU32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

uint64_t ReadU64(const std::string& bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return value;
}

// msgpack, by hand: small ints, short strings, and raw bytes from the input.
std::string Int(int64_t value) {
  if (value >= -32 && value <= 127) return std::string(1, static_cast<char>(value));
  std::string out(1, '\xd3');
  for (int i = 7; i >= 0; --i) out += static_cast<char>(static_cast<uint64_t>(value) >> (8 * i));
  return out;
}

std::string Str(const std::string& text) {
  return std::string(1, static_cast<char>(0xa0 | (text.size() & 31))) + text.substr(0, text.size() & 31);
}

std::string Unit(const std::string& bytes) { return U64(bytes.size()) + bytes; }

std::string CallPayload(const std::string& name, const std::string& args, const std::string& resolved = "") {
  return Unit(name) + Unit(args) + resolved;
}

// An item count as the input gave it, bounded: raw msgpack can give 4 billion, and
// draining that many items is slow, not wrong (a timeout the fuzzer would report).
int64_t Few(int64_t n) { return std::min<int64_t>(n, 200); }

goray::Generator<int64_t> Count(int64_t n) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) co_yield i;
}

goray::Generator<std::string> Words(const std::string& word, int64_t n) {
  Frame frame;  // `word` lives in the stream: a dangling one is an ASan report
  for (int64_t i = 0; i < Few(n); ++i) co_yield word + std::to_string(i);
}

goray::Generator<int64_t> Fail(int64_t n) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) co_yield i;
  throw std::runtime_error("failed after " + std::to_string(n));
}

goray::Generator<std::tuple<int64_t, std::string>> Pairs(int64_t n, std::string tag) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) co_yield std::tuple<int64_t, std::string>{i, tag};
}

goray::Generator<std::vector<std::map<std::string, int64_t>>> Nested(int64_t n) {
  Frame frame;
  std::vector<std::map<std::string, int64_t>> item;
  for (int64_t i = 0; i < Few(n); ++i) {
    item.push_back({{"k" + std::to_string(i), i}});
    co_yield item;
  }
}

goray::Generator<goray::Value> Echo(goray::Value value, int64_t n) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) co_yield value;
}

goray::Generator<goray::Array<double>> Ramp(int64_t n) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) co_yield goray::Array<double>::Zeros({i % 5});
}

goray::Generator<std::optional<double>> Empty() {
  Frame frame;
  co_return;
}

// Re-enters Execute from inside its own body (§13 "Threads"): resuming itself is code 1;
// mode 1 closes itself (the current item is still produced); mode 2 runs a nested stream
// of Count to its end.
goray::Generator<int64_t> Reenter(int64_t mode, int64_t n) {
  Frame frame;
  for (int64_t i = 0; i < Few(n); ++i) {
    uint64_t self = g_resuming;
    if (self != 0) {
      if (Call(41, 0, U64(self)).code != 1) std::abort();
      if (mode == 1 && Call(42, 0, U64(self)).code == 0) g_closed_itself = true;
    }
    if (mode == 2) {
      Reply started = Call(39, 0, CallPayload("Count", Int(3)));
      if (started.code != 0 || started.body.size() != 8) std::abort();
      int64_t items = 0;
      while (true) {
        Reply item = Call(41, 0, started.body);
        if (item.code != 0) std::abort();
        if (item.body == std::string(1, '\0')) break;
        ++items;
      }
      if (items != 3 || Call(41, 0, started.body).code != 1) std::abort();
    }
    co_yield i;
  }
}

class Source {
 public:
  explicit Source(std::string prefix) : prefix_(std::move(prefix)) { ++g_sources; }
  ~Source() { --g_sources; }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  goray::Generator<std::string> Range(int64_t n) {
    Frame frame;  // the stream keeps the instance alive: prefix_ stays valid
    for (int64_t i = 0; i < Few(n); ++i) co_yield prefix_ + std::to_string(i);
  }
  goray::Generator<int64_t> Broken() {
    Frame frame;
    throw std::logic_error("broken before its first item");
    co_return;
  }
  int64_t Size() const { return static_cast<int64_t>(prefix_.size()); }

 private:
  std::string prefix_;
};

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Count", &Count);
  registry.AddTask("Words", &Words);
  registry.AddTask("Fail", &Fail);
  registry.AddTask("Pairs", &Pairs);
  registry.AddTask("Nested", &Nested);
  registry.AddTask("Echo", &Echo);
  registry.AddTask("Ramp", &Ramp);
  registry.AddTask("Empty", &Empty);
  registry.AddTask("Reenter", &Reenter);
  registry.AddTask("Plain", [](int64_t x) { return x + 1; });  // not a generator
  registry.AddActor<Source>("Source", &goray::Constructor<Source, std::string>::Create)
      .AddMethod("Range", &Source::Range)
      .AddMethod("Broken", &Source::Broken)
      .AddMethod("Size", &Source::Size);
}

namespace {

// The input, read byte by byte (0 once it is used up).
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string Bytes(size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// One argument: what the parameter takes most of the time, anything else sometimes.
std::string Arg(Input& in, char kind) {
  uint8_t pick = in.Byte();
  if (pick >= 240) return in.Bytes(in.Byte() % 12);  // raw msgpack (or garbage)
  if (pick >= 224) return kind == 'i' ? Str("x") : Int(pick - 230);  // the wrong type
  if (kind == 'i') return Int(pick % 9);                               // n: a few items
  if (kind == 's') return Str(in.Bytes(pick % 40));
  return Int(static_cast<int8_t>(pick));  // 'v': any value
}

struct Callee {
  const char* name;
  const char* params;  // one letter per parameter: i int64 (small), s string, v any value
};

constexpr Callee kTasks[] = {{"Count", "i"}, {"Words", "si"}, {"Fail", "i"},  {"Pairs", "is"},
                             {"Nested", "i"}, {"Echo", "vi"}, {"Ramp", "i"}, {"Empty", ""},
                             {"Reenter", "ii"}, {"Plain", "i"},  {"Nope", "i"}};
constexpr Callee kMethods[] = {{"Range", "i"}, {"Broken", ""}, {"Size", ""}, {"Nope", ""}};

std::string Args(Input& in, const Callee& callee) {
  std::string args;
  for (const char* p = callee.params; *p; ++p) args += Arg(in, *p);
  uint8_t extra = in.Byte();
  if (extra >= 250) args += Int(extra);                                            // one too many
  if (extra >= 245 && extra < 250 && !args.empty()) args.resize(args.size() / 2);  // cut short
  return args;
}

struct Stream {
  bool open = true;
};

class Harness {
 public:
  explicit Harness(Input& in) : in_(in) {}

  void Run() {
    for (int op = 0; op < 48 && !in_.done(); ++op) Step(in_.Byte() % 10);
    Cleanup();
  }

 private:
  void Step(uint8_t op) {
    switch (op) {
      case 0: {  // 39 StartTaskStream
        const Callee& task = kTasks[in_.Byte() % std::size(kTasks)];
        Started(Call(39, 0, CallPayload(task.name, Args(in_, task))));
        break;
      }
      case 1: {  // 40 StartMethodStream
        const Callee& method = kMethods[in_.Byte() % std::size(kMethods)];
        Started(Call(40, Instance(), CallPayload(method.name, Args(in_, method))));
        break;
      }
      case 2:
        Next(PickStream());
        break;
      case 3:
        Close(PickStream());
        break;
      case 4: {  // 5 NewActor
        std::string args = in_.Byte() < 240 ? Str(in_.Bytes(in_.Byte() % 24)) : in_.Bytes(4);
        Reply reply = Call(5, 0, CallPayload("Source", args));
        if (reply.code == 0) instances_.push_back(std::stoll(reply.body));
        break;
      }
      case 5:  // 7 CloseActor
        Call(7, Instance(), "");
        break;
      case 6: {  // 39-42 with a raw payload and index
        long long command = 39 + in_.Byte() % 4;
        long long index = in_.Byte() % 8;
        std::string payload = in_.Bytes(in_.Byte() % 64);
        bool one_id = payload.size() == 8 && (command == 42 || (command == 41 && index <= 1));
        bool batch = payload.size() == 20 && command == 41 && index <= 1;
        g_resuming = (one_id && command == 41) || batch ? ReadU64(payload) : 0;
        g_closed_itself = false;
        Reply reply = Call(command, index, payload);
        g_resuming = 0;
        if (command <= 40) Started(reply);
        if (one_id) Observe(ReadU64(payload), command, reply);
        if (batch) ObserveBatch(ReadU64(payload), ReadU32(payload.data() + 8), reply);
        if (command >= 41 && !one_id && !batch && reply.code != 1) std::abort();  // malformed
        break;
      }
      case 7: {  // a stream to its end
        uint64_t id = PickStream();
        for (int i = 0; i < 64 && Next(id); ++i) {
        }
        break;
      }
      case 8: {  // 4 RunTask / 6 ActorMethodCall of a generator: all items in one reply
        if (in_.Byte() & 1) {
          const Callee& task = kTasks[in_.Byte() % std::size(kTasks)];
          Call(4, 0, CallPayload(task.name, Args(in_, task)));
        } else {
          const Callee& method = kMethods[in_.Byte() % std::size(kMethods)];
          Call(6, Instance(), CallPayload(method.name, Args(in_, method)));
        }
        break;
      }
      default:
        Call(38, 0, "");  // DescribeApplication
        break;
    }
  }

  long long Instance() {
    uint8_t pick = in_.Byte();
    if (!instances_.empty() && pick < 224) return instances_[pick % instances_.size()];
    return pick % 8;  // closed, never issued or another input's (closed) instance
  }

  uint64_t PickStream() {
    uint8_t pick = in_.Byte();
    if (!streams_.empty() && pick < 224) {
      auto it = streams_.begin();
      std::advance(it, pick % streams_.size());
      return it->first;
    }
    return pick < 248 ? last_id_ + (pick - 224) : ReadU64(in_.Bytes(8) + std::string(8, '\0'));
  }

  void Started(const Reply& reply) {
    if (reply.code != 0) return;
    if (reply.body.size() != 8) std::abort();
    uint64_t id = ReadU64(reply.body);
    if (id <= last_id_) std::abort();  // ids are never reused
    last_id_ = id;
    streams_[id] = Stream{};
  }

  // One 41 (sometimes with a bad index or length, sometimes the batch form); true while
  // items come.
  bool Next(uint64_t id) {
    uint8_t variant = in_.Byte();
    if (variant >= 128 && variant < 240) {  // the batch form: small limits, mostly
      uint8_t limits = in_.Byte();
      std::string payload = U64(id) + U32(limits % 9) + U32(limits & 0x80 ? 1000000 : 0) +
                            U32(limits & 0x40 ? (1u << 20) : 16);
      g_resuming = id;
      g_closed_itself = false;
      Reply reply = Call(41, variant & 1, payload);
      g_resuming = 0;
      return ObserveBatch(id, limits % 9, reply);
    }
    long long index = variant < 240 ? (variant & 1) : (variant % 4 == 0 ? 7 : variant % 4);
    std::string payload = U64(id);
    if (variant >= 252) payload.pop_back();
    g_resuming = payload.size() == 8 ? id : 0;
    g_closed_itself = false;
    Reply reply = Call(41, index, payload);
    g_resuming = 0;
    if (reply.code == 0 && !(reply.body == std::string(1, '\0') ||
                             (reply.body.size() > 1 && reply.body[0] == '\x01'))) {
      std::abort();  // neither an item nor the end
    }
    if (index > 1 || payload.size() != 8) {
      if (reply.code != 1) std::abort();
      return false;
    }
    return Observe(id, 41, reply);
  }

  void Close(uint64_t id) {
    std::string payload = U64(id);
    if (in_.Byte() >= 250) payload += '\0';
    Reply reply = Call(42, 0, payload);
    if (payload.size() != 8) {
      if (reply.code != 1) std::abort();
      return;
    }
    Observe(id, 42, reply);
  }

  // What a batch-form 41 reply says (docs/protocol.md §13): code 1 for a max of 0 items;
  // otherwise as Observe, the body `02, ended, u32 count, count x (u32 length, item)`,
  // at least one item unless ended. True while the stream is open.
  bool ObserveBatch(uint64_t id, uint32_t max_items, const Reply& reply) {
    if (max_items == 0) {
      if (reply.code != 1) std::abort();
      g_closed_itself = false;
      return false;
    }
    bool ended = false;
    if (reply.code == 0) {
      const std::string& body = reply.body;
      if (body.size() < 6 || body[0] != '\x02' || static_cast<unsigned char>(body[1]) > 1) std::abort();
      ended = body[1] == 1;
      const uint32_t count = ReadU32(body.data() + 2);
      if (count > max_items || (count == 0 && !ended)) std::abort();
      std::size_t at = 6;
      for (uint32_t i = 0; i < count; ++i) {
        if (body.size() - at < 4) std::abort();
        const uint32_t length = ReadU32(body.data() + at);
        at += 4;
        if (length == 0 || body.size() - at < length) std::abort();
        at += length;
      }
      if (at != body.size()) std::abort();
    }
    return Settle(id, 41, reply.code, reply.code != 0 || ended);
  }

  // What a well-formed 41 or 42 reply says about a stream, checked against what we know
  // of it. True for an item of a stream still open.
  bool Observe(uint64_t id, long long command, const Reply& reply) {
    return Settle(id, command, reply.code, !(reply.code == 0 && reply.body.size() > 1));
  }

  // A well-formed 41 or 42 reply's code against what we know of stream `id`; `ends`: a 41
  // reply that ended or failed it. True while the stream is open.
  bool Settle(uint64_t id, long long command, long long code, bool ends) {
    bool closed_itself = std::exchange(g_closed_itself, false);
    auto it = streams_.find(id);
    if (it == streams_.end() || !it->second.open) {
      if (code != 1) std::abort();  // never started, ended or closed: code 1
      return false;
    }
    Stream& stream = it->second;
    if (command == 42) {
      if (code != 0) std::abort();
      stream.open = false;
      return false;
    }
    if (code != 0 && code != 5) std::abort();
    if (ends || closed_itself) stream.open = false;  // ended, failed or closed from inside
    return stream.open;
  }

  void Cleanup() {
    for (auto& [id, stream] : streams_) {
      long long code = Call(42, 0, U64(id)).code;
      if (code != (stream.open ? 0 : 1)) std::abort();
    }
    for (long long index : instances_) Call(7, index, "");
    if (g_frames.load() != 0 || g_sources.load() != 0) std::abort();  // a stream leaked
  }

  Input& in_;
  std::map<uint64_t, Stream> streams_;
  std::vector<long long> instances_;
  inline static uint64_t last_id_ = 0;  // ids are process-wide
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  Harness(in).Run();
  return 0;
}
