// ObjectRefs and ActorHandles inside values (goray/detail/ref_codec.h) against a
// fake driver: ext 73/74 encoding, adoption of received ids (once each, released
// when nobody kept them), pins of sent ones, and the error while feature 2 is off.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "goray/detail/features.h"
#include "goray/goray.h"
#include "test_application.h"

extern "C" {
void RegisterCallback(void* (*cb)(long long, void*, long long, long long*, long long*));
void* Execute(long long request, void* in_data, long long in_len, long long* out_len,
              long long* ret_code);
void FreeMemory(void* ptr);
}

// Not in the anonymous namespace: a test checks the name the compiler gives Job
// ("refs_test::Job"). No other test file may define a namespace refs_test
// (check_test_symbols.py).
namespace refs_test {

struct Job {
  goray::ObjectRef input;
  std::vector<goray::ObjectRef> parts;
  std::optional<goray::ActorHandle> worker;
  std::string name;
};

// A typed handle as goray-gen writes them: an ActorHandle subclass.
class CounterHandle : public goray::ActorHandle {
 public:
  CounterHandle() = default;
  explicit CounterHandle(goray::ActorHandle actor) : goray::ActorHandle(std::move(actor)) {}
};

// An actor that keeps the refs it was built with.
struct Holder {
  std::size_t Count() const { return refs.size(); }
  std::vector<goray::ObjectRef> refs;
};

}  // namespace refs_test

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {
template <>
struct pack<::refs_test::Job> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer, const ::refs_test::Job& value) const {
    goray::codec::EncodeStructHeader(packer, 4);
    goray::codec::EncodeField(packer, "input", value.input);
    goray::codec::EncodeField(packer, "parts", value.parts);
    goray::codec::EncodeField(packer, "worker", value.worker);
    goray::codec::EncodeField(packer, "name", value.name);
    return packer;
  }
};
template <>
struct convert<::refs_test::Job> {
  const msgpack::object& operator()(const msgpack::object& object, ::refs_test::Job& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("input", value.input);
    decoder.Field("parts", value.parts);
    decoder.Field("worker", value.worker);
    decoder.Field("name", value.name);
    decoder.End();
    return object;
  }
};
}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

GORAY_TEST_APPLICATION(registry) {
  // Returns the first ref it was given; the others are released when it returns.
  registry.AddTask("First", [](const std::vector<goray::ObjectRef>& refs) { return refs.at(0); });
  registry.AddTask("Name", [](const refs_test::Job& job) { return job.name; });
  registry.AddTask("Echo", [](const refs_test::Job& job) { return job; });
  registry.AddActor<refs_test::Holder>("Holder", [](std::vector<goray::ObjectRef> refs) {
    return refs_test::Holder{std::move(refs)};
  }).AddMethod("Count", &refs_test::Holder::Count);
}

namespace {

struct Request {
  long long command;
  std::string payload;
};

std::mutex g_mutex;  // the pipeline's flusher thread calls the driver too
std::vector<Request> g_requests;
std::function<std::tuple<long long, std::string>(const Request&)> g_answer;

std::string Id(uint64_t id) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return bytes;
}

uint64_t ReadId(const std::string& bytes) {
  uint64_t id = 0;
  for (int i = 7; i >= 0; --i) id = (id << 8) | static_cast<unsigned char>(bytes[i]);
  return id;
}

void* FakeDriver(long long request, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  Request seen{request, std::string(static_cast<char*>(in_data), in_data ? in_len : 0)};
  std::lock_guard<std::mutex> lock(g_mutex);
  g_requests.push_back(seen);
  std::tuple<long long, std::string> answer{0LL, std::string()};
  if (request == 35) {  // DescribeActor
    uint64_t id = ReadId(seen.payload);
    if (id == 999) {
      answer = {1LL, "KeyError: unknown actor id 999"};
    } else {
      answer = {0LL, R"({"actor_type_name": "Counter", "is_golang_actor": true})"};
    }
  } else if (g_answer) {
    answer = g_answer(seen);
  }
  auto& [code, body] = answer;
  *ret_code = code;
  *out_len = static_cast<long long>(body.size());
  void* out = std::malloc(body.size() + 1);
  std::memcpy(out, body.data(), body.size());
  return out;
}

// Ids released so far (ReleaseObject 10 / ReleaseActor 32), in order.
std::vector<uint64_t> Released(long long command = 10) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::vector<uint64_t> ids;
  for (const Request& request : g_requests) {
    if (request.command == command) ids.push_back(ReadId(request.payload));
  }
  return ids;
}

std::size_t Count(const std::vector<uint64_t>& ids, uint64_t id) {
  return static_cast<std::size_t>(std::count(ids.begin(), ids.end(), id));
}

// fixext 8 type 73 / 74 with the id.
std::string RefExt(uint64_t id) { return std::string("\xd7\x49", 2) + Id(id); }
std::string HandleExt(uint64_t id) { return std::string("\xd7\x4a", 2) + Id(id); }

template <class T>
std::string Encoded(const T& value) {
  goray::codec::Buffer buffer(64);
  goray::codec::Packer packer(buffer);
  goray::codec::Encode(packer, value);
  return std::string(buffer.data(), buffer.size());
}

std::string Units(std::initializer_list<std::string> units) {
  std::string message;
  for (const std::string& unit : units) {
    message += Id(unit.size());
    message += unit;
  }
  return message;
}

// One Execute; the reply is freed by the caller through FreeMemory.
struct ExecuteReply {
  long long code = -1;
  void* data = nullptr;
  std::string bytes;
};

ExecuteReply ExecuteCommand(long long command, const std::string& payload) {
  ExecuteReply reply;
  long long out_len = 0;
  reply.data = Execute(command, const_cast<char*>(payload.data()),
                       static_cast<long long>(payload.size()), &out_len, &reply.code);
  if (reply.data != nullptr) reply.bytes.assign(static_cast<char*>(reply.data), out_len);
  return reply;
}

class RefCodecTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    g_requests.clear();
    g_answer = nullptr;
    goray::detail::SetFeatures(goray::detail::kFeatureRefsInValues);
  }
  void TearDown() override { goray::detail::SetFeatures(0); }

  // Get<T...> of an object whose stored payload is `payload`.
  template <class... T>
  static auto GetWithPayload(const std::string& payload) {
    g_answer = [payload](const Request& request) {
      if (request.command == 6) return std::make_tuple(0LL, payload);
      return std::make_tuple(0LL, std::string());
    };
    goray::ObjectRef holder(1);
    auto result = holder.Get<T...>();
    return result;
  }
};

TEST_F(RefCodecTest, EncodingNeedsTheFeature) {
  goray::detail::SetFeatures(0);
  goray::ObjectRef ref(5);
  try {
    Encoded(std::vector<goray::ObjectRef>{ref});
    FAIL() << "encoded an ObjectRef with the feature off";
  } catch (const goray::Error& error) {
    EXPECT_NE(std::string(error.what()).find("an ObjectRef inside a value needs goray's Python "
                                             "driver on Ray (a top-level ObjectRef argument works "
                                             "everywhere)"),
              std::string::npos)
        << error.what();
  }
  goray::ActorHandle handle(6, "Counter", true);
  EXPECT_THROW(Encoded(std::map<std::string, goray::ActorHandle>{{"a", handle}}), goray::Error);
}

TEST_F(RefCodecTest, EncodesRefsAndHandlesAsFixext8) {
  goray::ObjectRef ref(0x0102030405060708ULL);
  goray::Future<int64_t> future(goray::ObjectRef(9));
  refs_test::CounterHandle counter(goray::ActorHandle(3, "Counter", true));
  EXPECT_EQ(Encoded(ref), RefExt(0x0102030405060708ULL));
  EXPECT_EQ(Encoded(std::vector<goray::ObjectRef>{ref, future}),
            "\x92" + RefExt(0x0102030405060708ULL) + RefExt(9));
  EXPECT_EQ(Encoded(std::make_tuple(counter, std::optional<goray::ObjectRef>())),
            "\x92" + HandleExt(3) + "\xc0");
  EXPECT_THROW(Encoded(goray::ObjectRef()), goray::Error);  // an empty ref names no id
}

TEST_F(RefCodecTest, EncodingPinsTheStatesInTheInnermostScope) {
  goray::detail::Pins pins;
  {
    goray::detail::PinScope scope(pins);
    Encoded(std::vector<goray::ObjectRef>{goray::ObjectRef(11)});
    Encoded(goray::ActorHandle(12, "Counter", true));
  }
  EXPECT_TRUE(Released().empty());  // the temporaries died, the pins keep the ids
  EXPECT_TRUE(Released(32).empty());
  pins.clear();
  EXPECT_EQ(Released(), std::vector<uint64_t>{11});
  EXPECT_EQ(Released(32), std::vector<uint64_t>{12});
}

TEST_F(RefCodecTest, GetDecodesRefsInContainersStructsAndTuples) {
  {
    auto refs = GetWithPayload<std::vector<goray::ObjectRef>>("\x92" + RefExt(20) + RefExt(21));
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_EQ(refs[0].id(), 20u);
    EXPECT_EQ(refs[1].id(), 21u);
    EXPECT_EQ(Count(Released(), 20), 0u);  // kept by the vector
  }
  EXPECT_EQ(Count(Released(), 20), 1u);
  EXPECT_EQ(Count(Released(), 21), 1u);

  g_requests.clear();
  {
    std::string job = "\x84\xa5input" + RefExt(30) + "\xa5parts\x91" + RefExt(31) + "\xa6worker" +
                      HandleExt(4) + "\xa4name\xa1j";
    auto decoded = GetWithPayload<refs_test::Job>(job);
    EXPECT_EQ(decoded.input.id(), 30u);
    ASSERT_EQ(decoded.parts.size(), 1u);
    EXPECT_EQ(decoded.parts[0].id(), 31u);
    ASSERT_TRUE(decoded.worker.has_value());
    EXPECT_EQ(decoded.worker->id(), 4u);
    EXPECT_EQ(decoded.worker->type_name(), "Counter");  // asked with DescribeActor
    EXPECT_TRUE(decoded.worker->is_native());
    EXPECT_EQ(decoded.name, "j");
    EXPECT_EQ(Count(Released(), 30), 0u);
    EXPECT_EQ(Count(Released(), 31), 0u);
    EXPECT_TRUE(Released(32).empty());
  }
  EXPECT_EQ(Count(Released(), 30), 1u);
  EXPECT_EQ(Count(Released(), 31), 1u);
  EXPECT_EQ(Released(32), std::vector<uint64_t>{4});

  g_requests.clear();
  {
    auto [map, future, counter] =
        GetWithPayload<std::map<std::string, goray::ObjectRef>, goray::Future<double>,
                       refs_test::CounterHandle>("\x81\xa1k" + RefExt(40) + RefExt(41) +
                                                 HandleExt(5));
    EXPECT_EQ(map.at("k").id(), 40u);
    EXPECT_EQ(future.id(), 41u);
    EXPECT_EQ(counter.id(), 5u);
    EXPECT_EQ(counter.type_name(), "Counter");
  }
  EXPECT_EQ(Count(Released(), 40), 1u);
  EXPECT_EQ(Count(Released(), 41), 1u);
}

TEST_F(RefCodecTest, TheSameIdTwiceSharesOneState) {
  auto refs = GetWithPayload<std::vector<goray::ObjectRef>>("\x93" + RefExt(7) + RefExt(7) +
                                                            RefExt(7));
  ASSERT_EQ(refs.size(), 3u);
  refs.pop_back();
  refs.erase(refs.begin());
  EXPECT_EQ(Count(Released(), 7), 0u);  // one copy left
  refs.clear();
  EXPECT_EQ(Count(Released(), 7), 1u);  // released once, not three times
}

TEST_F(RefCodecTest, ATypeErrorReleasesEveryAdoptedId) {
  EXPECT_THROW(GetWithPayload<std::vector<goray::ObjectRef>>("\x93" + RefExt(50) + RefExt(51) + "\x05"),
               goray::ResultTypeError);
  EXPECT_EQ(Count(Released(), 50), 1u);
  EXPECT_EQ(Count(Released(), 51), 1u);
  // An ext 74 where a ref is wanted: the handle is adopted and released too.
  g_requests.clear();
  try {
    GetWithPayload<goray::ObjectRef>(HandleExt(8));
    FAIL() << "decoded a handle as a ref";
  } catch (const goray::ResultTypeError& error) {
    EXPECT_NE(std::string(error.what()).find("expected goray::ObjectRef, received ActorHandle (ext 74)"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(Released(32), std::vector<uint64_t>{8});
}

TEST_F(RefCodecTest, AFailedDescribeActorReleasesEverythingAndSaysWhich) {
  try {
    GetWithPayload<std::tuple<goray::ObjectRef, goray::ActorHandle, goray::ActorHandle>>(
        "\x93" + RefExt(60) + HandleExt(999) + HandleExt(61));
    FAIL() << "decoded an unknown actor";
  } catch (const goray::ProtocolError& error) {
    EXPECT_NE(std::string(error.what()).find("DescribeActor of actor 999"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(Count(Released(), 60), 1u);
  auto actors = Released(32);
  EXPECT_EQ(Count(actors, 999), 1u);
  EXPECT_EQ(Count(actors, 61), 1u);
}

TEST_F(RefCodecTest, DecodingOutsideAReceivedValueIsAnError) {
  std::string bytes = RefExt(70);
  msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  EXPECT_THROW(goray::codec::Decode<goray::ObjectRef>(handle.get()), goray::codec::DecodeError);
  EXPECT_TRUE(Released().empty());  // nothing adopted, nothing released
}

TEST_F(RefCodecTest, DecodingOutsideAReceivedValueNamesTheExtAndId) {
  auto message = [](const std::string& bytes, auto decode) {
    msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
    try {
      decode(handle.get());
    } catch (const goray::codec::DecodeError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(RefExt(70), [](const msgpack::object& o) { goray::codec::Decode<goray::ObjectRef>(o); })
                .find("ext 73 (object 70) outside a value received from the driver"),
            std::string::npos);
  EXPECT_NE(message(HandleExt(71), [](const msgpack::object& o) { goray::codec::Decode<goray::ActorHandle>(o); })
                .find("ext 74 (actor 71) outside a value received from the driver"),
            std::string::npos);
}

TEST_F(RefCodecTest, LocalResultsAdoptOnceAndDecodeManyTimes) {
  g_answer = [](const Request& request) {
    if (request.command == 0) return std::make_tuple(0LL, "\x92" + RefExt(80) + RefExt(81));
    return std::make_tuple(0LL, std::string());
  };
  {
    goray::LocalResult result = goray::LocalCallPyTask("make_refs");
    auto first = result.Get<std::vector<goray::ObjectRef>>();
    auto again = result.Get<goray::ObjectRef, goray::ObjectRef>();
    EXPECT_EQ(first[0].id(), 80u);
    EXPECT_EQ(std::get<1>(again).id(), 81u);
    EXPECT_TRUE(Released().empty());
  }
  EXPECT_EQ(Count(Released(), 80), 1u);
  EXPECT_EQ(Count(Released(), 81), 1u);
}

TEST_F(RefCodecTest, InProcessCallArgumentsArePinnedForTheCallOnly) {
  g_answer = [](const Request&) { return std::make_tuple(0LL, std::string("\xc0")); };
  goray::detail::Pins outer;
  {
    goray::detail::PinScope scope(outer);  // e.g. a driver's command: it must not collect them
    goray::LocalCallPyTask("take", std::vector<goray::ObjectRef>{goray::ObjectRef(150)});
  }
  EXPECT_TRUE(outer.empty());
  EXPECT_EQ(Released(), std::vector<uint64_t>{150});
  ASSERT_FALSE(g_requests.empty());
  EXPECT_NE(g_requests.front().payload.find("\x91" + RefExt(150)), std::string::npos);
}

TEST_F(RefCodecTest, TaskArgumentsAreAdoptedAndResultsPinnedUntilFreeMemory) {
  std::string args = "\x93" + RefExt(90) + RefExt(91) + RefExt(90);
  ExecuteReply reply = ExecuteCommand(4, Units({"First", args}));
  ASSERT_EQ(reply.code, 0) << reply.bytes;
  EXPECT_EQ(reply.bytes, RefExt(90));
  EXPECT_EQ(Released(), std::vector<uint64_t>{91});  // the one the task did not return
  EXPECT_EQ(goray::codec::detail::KeptReplies(), 1u);
  FreeMemory(reply.data);
  EXPECT_EQ(Released(), (std::vector<uint64_t>{91, 90}));
  EXPECT_EQ(goray::codec::detail::KeptReplies(), 0u);
}

TEST_F(RefCodecTest, StructArgumentsRoundTripThroughATask) {
  std::string job = "\x84\xa5input" + RefExt(100) + "\xa5parts\x92" + RefExt(101) + RefExt(100) +
                    "\xa6worker" + HandleExt(9) + "\xa4name\xa3job";
  ExecuteReply reply = ExecuteCommand(4, Units({"Echo", job}));
  ASSERT_EQ(reply.code, 0) << reply.bytes;
  EXPECT_EQ(reply.bytes, job);  // the same ids go back
  EXPECT_TRUE(Released().empty());
  FreeMemory(reply.data);
  EXPECT_EQ(Count(Released(), 100), 1u);
  EXPECT_EQ(Count(Released(), 101), 1u);
  EXPECT_EQ(Released(32), std::vector<uint64_t>{9});
}

TEST_F(RefCodecTest, AFailedTaskReleasesItsArgumentsAndPinsNothing) {
  std::string job = "\x83\xa5input" + RefExt(110) + "\xa5parts\x90\xa4name\x07";  // name: not a str
  ExecuteReply reply = ExecuteCommand(4, Units({"Name", job}));
  EXPECT_EQ(reply.code, 5);
  EXPECT_NE(reply.bytes.find("position 0: expected refs_test::Job"), std::string::npos) << reply.bytes;
  EXPECT_EQ(Released(), std::vector<uint64_t>{110});
  EXPECT_EQ(goray::codec::detail::KeptReplies(), 0u);
  FreeMemory(reply.data);
}

TEST_F(RefCodecTest, ResultsWithoutRefsKeepNothing) {
  // A Job (its worker, optional, left out) whose task answers a str: nothing to keep.
  std::string job = "\x83\xa5input" + RefExt(130) + "\xa5parts\x90\xa4name\xa2ok";
  ExecuteReply reply = ExecuteCommand(4, Units({"Name", job}));
  ASSERT_EQ(reply.code, 0) << reply.bytes;
  EXPECT_EQ(goray::codec::detail::KeptReplies(), 0u);
  FreeMemory(reply.data);
}

TEST_F(RefCodecTest, AnActorKeepsTheRefsItWasBuiltWith) {
  std::string args = "\x92" + RefExt(120) + RefExt(121);
  // CheckActorArgs borrows the block: nothing adopted, so nothing checked or released.
  ExecuteReply check = ExecuteCommand(32, Units({"Holder", args}));
  EXPECT_EQ(check.bytes, "unchecked");
  FreeMemory(check.data);
  EXPECT_TRUE(Released().empty());

  ExecuteReply made = ExecuteCommand(5, Units({"Holder", args}));
  ASSERT_EQ(made.code, 0) << made.bytes;
  const long long index = std::stoll(made.bytes);
  FreeMemory(made.data);
  EXPECT_TRUE(Released().empty());  // the actor holds them
  ExecuteReply count = ExecuteCommand(6 | (index << 10), Units({"Count", ""}));
  EXPECT_EQ(count.bytes, "\x02");
  FreeMemory(count.data);
  ExecuteReply closed = ExecuteCommand(7 | (index << 10), "");
  FreeMemory(closed.data);
  EXPECT_EQ(Count(Released(), 120), 1u);
  EXPECT_EQ(Count(Released(), 121), 1u);
}

// One GetObjects (34) entry: u32 code, u64 length, bytes.
std::string Entry(uint32_t code, const std::string& bytes) {
  std::string entry;
  for (int i = 0; i < 4; ++i) entry.push_back(static_cast<char>((code >> (8 * i)) & 0xff));
  return entry + Id(bytes.size()) + bytes;
}

TEST_F(RefCodecTest, ABatchedGetAdoptsEveryEntryBeforeThrowingTheFirstFailure) {
  goray::detail::SetFeatures(goray::detail::kFeaturePipelined | goray::detail::kFeatureRefsInValues);
  g_answer = [](const Request& request) {
    if (request.command == 34) {
      return std::make_tuple(0LL, Entry(1, "ValueError: boom") + Entry(0, "\x91" + RefExt(130)));
    }
    return std::make_tuple(0LL, std::string());
  };
  {
    std::vector<goray::ObjectRef> refs = {goray::ObjectRef(1), goray::ObjectRef(2)};
    EXPECT_THROW(goray::Get<std::vector<goray::ObjectRef>>(refs), goray::PythonError);
  }
  goray::detail::FlushSubmissions();
  // The second entry's ref was adopted, then released (a ReleaseObject record, kind 5).
  std::lock_guard<std::mutex> lock(g_mutex);
  bool released = false;
  for (const Request& request : g_requests) {
    if (request.command == 33 && request.payload.find("\x05" + Id(130)) != std::string::npos) {
      released = true;
    }
  }
  EXPECT_TRUE(released);
}

TEST_F(RefCodecTest, ACompletedResultDecodedTwiceAdoptedOnce) {
  g_answer = [](const Request& request) {
    if (request.command == 8) return std::make_tuple(0LL, std::string("[[0], []]"));
    if (request.command == 6) return std::make_tuple(0LL, RefExt(140));
    return std::make_tuple(0LL, std::string());
  };
  {
    std::vector<goray::ObjectRef> refs = {goray::ObjectRef(1)};
    goray::CompletionStream stream = goray::AsCompleted(refs);
    for (const goray::Completed& done : stream) {
      goray::ObjectRef first = done.Get<goray::ObjectRef>();
      goray::ObjectRef second = done.Get<goray::ObjectRef>();
      EXPECT_EQ(first.id(), 140u);
      EXPECT_EQ(second.id(), 140u);
    }
  }
  EXPECT_EQ(Count(Released(), 140), 1u);  // one state for both decodings, released once
}

TEST_F(RefCodecTest, ACallToAnUnknownActorInstanceReleasesItsArguments) {
  ExecuteReply reply = ExecuteCommand(6 | (999999LL << 10), Units({"Count", "\x91" + RefExt(160)}));
  EXPECT_EQ(reply.code, 5) << reply.bytes;
  FreeMemory(reply.data);
  EXPECT_EQ(Released(), std::vector<uint64_t>{160});
}

TEST_F(RefCodecTest, ReceivedRefsPrecheckAndWalk) {
  using goray::codec::detail::ReceivedRefs;
  EXPECT_FALSE(ReceivedRefs::MayHold(""));
  EXPECT_FALSE(ReceivedRefs::MayHold("\xd7"));
  EXPECT_FALSE(ReceivedRefs::MayHold(std::string("\x92\xd7\x48", 3)));
  EXPECT_TRUE(ReceivedRefs::MayHold(RefExt(1)));
  EXPECT_TRUE(ReceivedRefs::MayHold("\x91" + HandleExt(1)));
  // A str holding the same bytes passes the precheck but holds no ref.
  std::string text = "\xaa" + RefExt(1);
  msgpack::object_handle handle = msgpack::unpack(text.data(), text.size());
  EXPECT_FALSE(ReceivedRefs::Holds(&handle.get(), 1));
  std::string nested = "\x81\xa1k\x91" + RefExt(1);
  msgpack::object_handle map = msgpack::unpack(nested.data(), nested.size());
  EXPECT_TRUE(ReceivedRefs::Holds(&map.get(), 1));
}

}  // namespace

// Of runtime/src, this file exercises refs/received_refs.cpp, abi/set_features.cpp most
// directly (docs/testing.md, "Finding a module's tests").
