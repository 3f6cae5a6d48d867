"""The concurrency golden case (tests/golden/concurrency/: a thread-safe actor with two
concurrency groups and grouped methods of its own and of a base, generator tasks and
methods, a thread-safe actor a factory builds, one that is not thread-safe), its
generated outputs used: the typed wrappers' streams and the handles' traits compile as
documented (docs/generator.md), and the stubs type-check under mypy --strict and pyright.
test_gen_golden.py checks the outputs byte for byte and compiles the units."""

from __future__ import annotations

import pytest
import os
import shutil
import subprocess
import sys

from conftest import GOLDEN, ROOT, copy_stubs, mypy_cache_args, run, stub_files

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from pyright_runner import pyright  # noqa: E402

CASE = GOLDEN / "concurrency"

# Uses of the case's typed wrappers: the results' types, the traits, what does not compile
# (as requires-expressions that must be false), and every stream call instantiated.
USE = r"""
#include "concurrency.goray.h"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

using concurrency::FetcherHandle;
using concurrency::PoolHandle;
using concurrency::TallyHandle;

// A generator task or method: Remote() is a goray::Stream of futures of one item.
static_assert(std::is_same_v<decltype(concurrency::CountUp(3).Remote()),
                             goray::Stream<goray::Future<int64_t>>>);
static_assert(std::is_same_v<decltype(concurrency::Words("a b").Remote(goray::Option("num_cpus", 1))),
                             goray::Stream<goray::Future<std::string>>>);
static_assert(std::is_same_v<decltype(std::declval<FetcherHandle>().Lines("p").Remote()),
                             goray::Stream<goray::Future<std::string>>>);
static_assert(std::is_same_v<decltype(std::declval<FetcherHandle>().Items(2).Remote()),
                             goray::Stream<goray::Future<feeds::Item>>>);
static_assert(std::is_same_v<decltype(std::declval<TallyHandle>().History().Remote()),
                             goray::Stream<goray::Future<int64_t>>>);
// The others stay futures.
static_assert(std::is_same_v<decltype(concurrency::Square(2).Remote()), goray::Future<int64_t>>);
static_assert(std::is_same_v<decltype(std::declval<FetcherHandle>().Fetch("p").Remote()),
                             goray::Future<std::string>>);

// The arguments are checked as for any wrapper.
template <class A>
concept CanCount = requires(A a) { concurrency::CountUp(a); };
static_assert(CanCount<int64_t> && CanCount<goray::Future<int64_t>> && !CanCount<std::string>);

// The traits, at compile time.
static_assert(FetcherHandle::kThreadSafe);
static_assert(FetcherHandle::kConcurrencyGroups.size() == 2);
static_assert(FetcherHandle::kConcurrencyGroups[0] == std::pair<std::string_view, int>{"io", 2});
static_assert(FetcherHandle::kConcurrencyGroups[1] == std::pair<std::string_view, int>{"compute", 1});
static_assert(FetcherHandle::ConcurrencyGroupOf("Fetch") == "io");
static_assert(FetcherHandle::ConcurrencyGroupOf("Page") == "io");        // a base's method
static_assert(FetcherHandle::ConcurrencyGroupOf("Lines") == "io");       // a generator
static_assert(FetcherHandle::ConcurrencyGroupOf("Score") == "compute");
static_assert(FetcherHandle::ConcurrencyGroupOf("Items").empty());       // Ray's default
static_assert(PoolHandle::kThreadSafe && PoolHandle::kConcurrencyGroups.empty());
static_assert(!TallyHandle::kThreadSafe && TallyHandle::kConcurrencyGroups.empty());
static_assert(TallyHandle::ConcurrencyGroupOf("Add").empty());

// Every stream call instantiated: RemoteStream by name and on the handle, the range,
// Next, Cancel, and a typed item's Get through the struct's adaptor.
int64_t Use(FetcherHandle fetcher, TallyHandle tally) {
  int64_t sum = 0;
  for (goray::Future<int64_t> item : concurrency::CountUp(3).Remote()) sum += item.Get();
  goray::Stream<goray::Future<std::string>> lines = fetcher.Lines("index").Remote();
  std::optional<goray::Future<std::string>> first = lines.Next();
  if (first) sum += static_cast<int64_t>(first->Get().size());
  lines.Cancel();
  for (goray::Future<feeds::Item> item : fetcher.Items(2).Remote()) sum += item.Get().id;
  goray::Stream<goray::Future<int64_t>> history = tally.History().Remote();
  static_cast<void>(history);
  FetcherHandle threaded = concurrency::Fetcher("https://example.org")
                               .Remote(goray::Option("max_concurrency", 2));
  sum += static_cast<int64_t>(threaded.Fetch("p").Remote().Get().size());
  return sum;
}
"""


def test_the_wrappers_stream_and_the_handles_carry_the_traits(tmp_path):
    """The case's typed wrappers, used (-Wall -Wextra -Werror, -fsyntax-only): a
    generator's Remote() is a goray::Stream<goray::Future<T>> (a struct item too), the
    handles' kThreadSafe, kConcurrencyGroups and ConcurrencyGroupOf are constant
    expressions with the declared values (a base class's grouped method too)."""
    compiler = os.environ.get("CXX") or shutil.which("c++") or "g++"
    use = tmp_path / "use.cpp"
    use.write_text(USE)
    result = subprocess.run(
        [compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
         "-DMSGPACK_NO_BOOST", f"-I{CASE}", f"-I{ROOT / 'runtime' / 'include'}", str(use)],
        stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr


def test_the_registration_declares_the_traits():
    """The unit registers Fetcher thread-safe with its groups before its methods and its
    methods' groups after them; Pool thread-safe without groups; Tally neither."""
    text = "".join(path.read_text() for path in sorted(CASE.glob("concurrency*.goray.cpp")))
    fetcher = text[text.index('registry.AddActor<::feeds::Fetcher>("Fetcher"'):]
    fetcher = fetcher[:fetcher.index(";")]
    calls = [line.strip().split("(")[0] for line in fetcher.splitlines()[1:]]
    assert calls[:3] == [".ThreadSafe", ".ConcurrencyGroup", ".ConcurrencyGroup"], calls
    assert '.ConcurrencyGroup("io", 2)' in fetcher and '.ConcurrencyGroup("compute", 1)' in fetcher
    grouped = [line.strip() for line in fetcher.splitlines() if ".MethodGroup" in line]
    assert set(grouped) >= {'.MethodGroup("Fetch", "io")', '.MethodGroup("Page", "io")',
                            '.MethodGroup("Score", "compute")', '.MethodGroup("Lines", "io")'}
    assert calls.index(".MethodGroup") > max(i for i, c in enumerate(calls) if c == ".AddMethod")
    pool = text[text.index('registry.AddActor<::feeds::Pool>("Pool"'):]
    assert pool[:pool.index(";")].count(".ThreadSafe()") == 1
    assert ".ConcurrencyGroup" not in pool[:pool.index(";")]
    tally = text[text.index('registry.AddActor<::feeds::Tally>("Tally"'):]
    assert ".ThreadSafe()" not in tally[:tally.index(";")]


USE_PY = """\
import ray

import concurrency
import goray

gen = concurrency.CountUp.remote(3)
total: int = 0
for ref in gen:
    total += ray.get(ref)
word: str = ray.get(next(concurrency.Words.remote("a b")))
fetcher = concurrency.Fetcher.options(max_concurrency=2).remote("https://example.org")
line: ray.ObjectRef[str] = next(fetcher.Lines.remote("index"))
item: concurrency.Item = ray.get(next(fetcher.Items.remote(2)))
history: list[int] = list(concurrency.local.Tally().History())
groups: dict[str, int] = concurrency.Fetcher.concurrency_groups
in_group: str = concurrency.Fetcher.method_groups["Fetch"]
safe: bool = concurrency.Pool.thread_safe
values: goray.ItemStream[int] = goray.stream(concurrency.CountUp, 3)
summed: int = sum(goray.stream(concurrency.CountUp.options(num_cpus=1), n=3))
lines: list[str] = list(goray.stream(fetcher.Lines, "index"))
print(total, word, line, item, history, groups, in_group, safe, values, summed, lines)
"""

BAD_PY = """\
import ray

import concurrency

wrong: ray.ObjectRef[str] = next(concurrency.CountUp.remote(3))
"""


def user_dir(tmp_path):
    copy_stubs(CASE, "concurrency", tmp_path)
    (tmp_path / "use.py").write_text(USE_PY)
    (tmp_path / "bad.py").write_text(BAD_PY)
    return tmp_path


def test_the_stubs_type_check_under_mypy(tmp_path):
    """The case's stubs and a use of every new form under mypy --strict; a stream's item
    ref of the wrong type is an error."""
    work = user_dir(tmp_path)
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable))
    assert mypy is not None, "mypy is not installed next to this Python"
    good = run([mypy, "--strict", *mypy_cache_args(), "concurrency.pyi", "_concurrency_types.pyi",
                "use.py"], cwd=work)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run([mypy, "--strict", *mypy_cache_args(), "bad.py"], cwd=work)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert 'expected "SupportsNext[ObjectRef[str]]"' in bad.stdout, bad.stdout


# Tier 2: the stubs under each checker; test_gen_typecheck.py runs them in tier 1
@pytest.mark.tier2
def test_the_stubs_type_check_under_pyright(tmp_path):
    """The same under pyright, strict for the user's file."""
    work = user_dir(tmp_path)
    (work / "use.py").write_text("# pyright: strict\n" + USE_PY)
    good = pyright(work, "use.py", *stub_files("concurrency"))
    assert good.returncode == 0 and "0 errors" in good.stdout, good.stdout
    bad = pyright(work, "bad.py")
    assert bad.returncode == 1, bad.stdout
    assert '"ObjectRef[int]" is not assignable to declared type "ObjectRef[str]"' in bad.stdout
