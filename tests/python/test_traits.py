"""goray._traits: DescribeApplication (Py2Native 38) parsed into AppTraits, defaults
for libraries without traits, caching, and clear errors for a malformed reply."""

import json
import threading

import pytest

from goray import _traits
from goray.errors import GorayError

REPLY = {
    "tasks": {"CountUp": {"stream": True}, "Square": {"stream": False}},
    "actors": {
        "Fetcher": {"thread_safe": True, "concurrency_groups": {"io": 2},
                    "methods": {"Fetch": {"stream": False, "concurrency_group": "io"},
                                "Range": {"stream": True}}},
        "Serial": {"thread_safe": False, "concurrency_groups": {},
                   "methods": {"Incr": {"stream": False}}},
    },
}


class FakeLibrary:
    def __init__(self, reply=REPLY, code=0, version=5):
        self.protocol_version = version
        self.path = "/fake/libapp.so"
        self.code = code
        self.reply = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
        self.calls = []

    def execute(self, cmd, payload=b"", index=0):
        self.calls.append(cmd)
        return self.code, self.reply


def test_parses_tasks_and_actor_types():
    traits = _traits.app_traits(FakeLibrary())
    assert traits.streaming_tasks == frozenset({"CountUp"})
    fetcher = traits.actors["Fetcher"]
    assert fetcher.thread_safe is True
    assert fetcher.concurrency_groups == {"io": 2}
    assert fetcher.streams == frozenset({"Range"})
    assert fetcher.groups == {"Fetch": "io"}
    assert fetcher.methods >= {"Range", "Fetch"}  # every method listed, named parameters or not
    assert traits.actors["Serial"] == _traits.ActorTraits(methods=frozenset({"Incr"}))


def test_where_results_hold_enums_is_parsed():
    reply = dict(REPLY, result_enums={"structs": {}, "tasks": {"Square": "geo::Kind"},
                                      "actors": {"Serial": {"Incr": {"list": "geo::Kind"}}}})
    enums = _traits.result_enums(FakeLibrary(reply=reply))
    assert enums.tasks() == {"Square"} and set(enums.methods("Serial")) == {"Incr"}
    assert not _traits.result_enums(FakeLibrary())  # a library that does not say: none


def test_lookups_and_defaults_for_unknown_names():
    library = FakeLibrary()
    assert _traits.task_streams(library, "CountUp") is True
    assert _traits.task_streams(library, "Square") is False
    assert _traits.task_streams(library, "Nope") is False
    unknown = _traits.actor_traits(library, "Nope")
    assert unknown == _traits.ActorTraits(thread_safe=False, concurrency_groups={},
                                          streams=frozenset(), groups={})


def test_no_lock_is_held_while_the_library_is_asked():
    # DescribeApplication is an Execute that may wait on another thread's submission
    # batch, whose handler may ask for traits too: holding the lock there would deadlock.
    held = []

    class Watching(FakeLibrary):
        def execute(self, command, payload=b"", index=0):
            held.append(_traits._lock.locked())
            return super().execute(command, payload, index)

    _traits.app_traits(Watching())
    assert held == [False]


def test_a_lookup_re_entered_from_the_ask_returns():
    # What the C++ driver's batch scenario hung on: the first lookup's Execute sends the
    # submissions queued meanwhile, whose handler (same thread) looks the traits up again.
    class ReEntering(FakeLibrary):
        def execute(self, command, payload=b"", index=0):
            reply = super().execute(command, payload, index)
            if len(self.calls) == 1:
                inner.append(_traits.app_traits(self))
            return reply

    inner = []
    library = ReEntering()
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_traits.app_traits(library)), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "app_traits deadlocked when re-entered from its own ask"
    assert outcome and inner and outcome[0] is inner[0]


def test_every_thread_gets_the_first_answer_kept():
    library = FakeLibrary()
    barrier = threading.Barrier(8)
    results = []

    def ask():
        barrier.wait()
        results.append(_traits.app_traits(library))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(library.calls) <= 8  # threads that asked at once each asked
    assert set(library.calls) == {_traits.DESCRIBE_APPLICATION}
    assert all(result is results[0] for result in results)
    assert _traits.app_traits(library) is results[0]  # kept: not asked again
    assert len(library.calls) <= 8
    other = FakeLibrary(reply={"tasks": {}, "actors": {}})
    assert _traits.app_traits(other).streaming_tasks == frozenset()


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_libraries_below_version_5_have_no_traits_and_are_not_asked(version):
    library = FakeLibrary(version=version)
    assert _traits.app_traits(library) == _traits.AppTraits()
    assert library.calls == []


def test_code_1_means_no_traits():
    library = FakeLibrary(reply=b"unknown command 38", code=1)
    assert _traits.app_traits(library) == _traits.AppTraits()
    assert _traits.actor_traits(library, "Fetcher").thread_safe is False


def test_other_codes_are_errors():
    with pytest.raises(GorayError, match=r"/fake/libapp.so: DescribeApplication failed "
                                         r"\(code 5\): boom"):
        _traits.app_traits(FakeLibrary(reply=b"boom", code=5))


@pytest.mark.parametrize("reply, message", [
    (b"{not json", r"/fake/libapp.so: DescribeApplication replied with invalid JSON"),
    (b"[1, 2]", r"DescribeApplication reply must be a JSON object, got list"),
    (b"\xff", r"invalid JSON"),
    ({"tasks": {"T": {"stream": "yes"}}}, r"task T: \"stream\" must be a boolean, got str"),
    ({"tasks": []}, r"\"tasks\" must be a JSON object, got list"),
    ({"actors": {"A": {"thread_safe": 1}}},
     r"actor type A: \"thread_safe\" must be a boolean, got int 1"),
    ({"actors": {"A": {"thread_safe": True, "concurrency_groups": {"io": 0}}}},
     r"actor type A: concurrency group 'io' size must be a positive integer, got 0"),
    ({"actors": {"A": {"thread_safe": True, "concurrency_groups": {"io": 1},
                       "methods": {"M": {"concurrency_group": "db"}}}}},
     r"actor type A method M: \"concurrency_group\" 'db' is not one of the type's "
     r"groups \['io'\]"),
    ({"actors": {"A": {"methods": {"M": 3}}}},
     r"actor type A method M must be a JSON object, got int"),
    ({"result_enums": [1]}, r"DescribeApplication \"result_enums\" must be a JSON object"),
    ({"actors": {"A": {"options": [1]}}},
     r"actor type A: \"options\" must be a JSON object, got list"),
])
def test_malformed_replies_name_what_is_wrong(reply, message):
    with pytest.raises(GorayError, match=message):
        _traits.app_traits(FakeLibrary(reply=reply))


def test_traits_key_is_hashable_and_tells_types_apart():
    traits = _traits.app_traits(FakeLibrary())
    keys = {traits.actors["Fetcher"].key(), traits.actors["Serial"].key()}
    assert len(keys) == 2


REFUSAL = (r"actor type Serial is not thread-safe: max_concurrency=4 would run its methods "
           r"on 4 threads at once; mark the class GORAY_THREADSAFE \(or registry "
           r"ThreadSafe\(\)\) if its methods may run concurrently")


def test_not_thread_safe_types_are_refused_max_concurrency_above_1():
    library = FakeLibrary()
    with pytest.raises(GorayError, match=REFUSAL):
        _traits.checked_actor_options(library, "Serial", {"max_concurrency": 4})
    # Unknown types of a library that describes itself are not thread-safe either.
    with pytest.raises(GorayError, match="actor type Nope is not thread-safe"):
        _traits.checked_actor_options(library, "Nope", {"max_concurrency": 2})
    assert _traits.checked_actor_options(library, "Serial", {"max_concurrency": 1,
                                                             "num_cpus": 0}) == (
        {}, {"max_concurrency": 1, "num_cpus": 0})


def test_not_thread_safe_types_are_refused_concurrency_groups():
    with pytest.raises(GorayError, match=r"actor type Serial is not thread-safe: "
                                         r"concurrency_groups=\{'io': 2\} would run its "
                                         r"methods on several threads at once; mark the class "
                                         r"GORAY_THREADSAFE"):
        _traits.checked_actor_options(FakeLibrary(), "Serial", {"concurrency_groups": {"io": 2}})


def test_thread_safe_types_keep_their_options_and_groups_go_apart():
    options = {"max_concurrency": 8, "concurrency_groups": {"db": 3}, "name": "f"}
    groups, rest = _traits.checked_actor_options(FakeLibrary(), "Fetcher", options)
    assert groups == {"db": 3}
    assert rest == {"max_concurrency": 8, "name": "f"}
    assert "concurrency_groups" in options  # the caller's dict is not changed


@pytest.mark.parametrize("library", [FakeLibrary(version=4), FakeLibrary(code=1)])
def test_libraries_without_traits_are_not_refused(library):
    # GoRay's Go libraries (code 1) and older ones cannot declare thread safety.
    assert _traits.checked_actor_options(library, "Serial", {"max_concurrency": 4}) == (
        {}, {"max_concurrency": 4})


@pytest.mark.parametrize("groups", [["io"], {"io": 0}, {"io": "2"}, {"io": True}])
def test_malformed_concurrency_groups_are_refused(groups):
    with pytest.raises(GorayError, match=r"actor type Fetcher: concurrency_groups must map "
                                         r"group names to positive sizes"):
        _traits.checked_actor_options(FakeLibrary(), "Fetcher", {"concurrency_groups": groups})


DECLARING = {"actors": {
    "Ledger": {"thread_safe": False, "concurrency_groups": {},
               "options": {"max_restarts": 3, "num_cpus": 0.5}, "methods": {}},
    "Lookup": {"thread_safe": False, "concurrency_groups": {},
               "options": {"max_concurrency": 4}, "methods": {}},
    "Plain": {"thread_safe": False, "concurrency_groups": {}, "methods": {}},
}}


def test_declared_options_come_first_and_a_creations_own_win():
    """GORAY_ACTOR_OPTIONS, as DescribeApplication answers them: every creation of the
    type gets them (golang_actor_class's .remote and C++'s NewActor both come through
    checked_actor_options), and an option the creation gives replaces the declared one."""
    library = FakeLibrary(reply=DECLARING)
    assert _traits.actor_traits(library, "Ledger").options == {"max_restarts": 3,
                                                                "num_cpus": 0.5}
    assert _traits.actor_traits(library, "Plain").options == {}
    assert _traits.checked_actor_options(library, "Ledger", {}) == (
        {}, {"max_restarts": 3, "num_cpus": 0.5})
    assert _traits.checked_actor_options(library, "Ledger", {"max_restarts": 0,
                                                             "name": "books"}) == (
        {}, {"max_restarts": 0, "num_cpus": 0.5, "name": "books"})
    assert _traits.checked_actor_options(library, "Plain", {"name": "p"}) == ({}, {"name": "p"})


def test_a_declared_max_concurrency_is_checked_as_a_creations_own():
    """A library declaring more threads than its type allows (a hand registration
    goray-gen did not check) is refused as the same option given per creation would be."""
    with pytest.raises(GorayError, match=r"actor type Lookup is not thread-safe: "
                                         r"max_concurrency=4"):
        _traits.checked_actor_options(FakeLibrary(reply=DECLARING), "Lookup", {})
    assert _traits.checked_actor_options(FakeLibrary(reply=DECLARING), "Lookup",
                                         {"max_concurrency": 1}) == ({}, {"max_concurrency": 1})
