"""The corpus's streams case through Ray (run by test_gen_corpus.py in its own process):
goray.stream of a generated module's generator task and of a typed handle's generator
method, by position and by keyword (the C++ parameter names), defaults filled in C++.

    python ray_streams.py LIBRARY STUBS_DIR
Prints one JSON object: {"failures": [...]}.
"""

from __future__ import annotations

import sys

from ray_check import expect, run


def checks(streams) -> None:
    import goray

    expect("by position, defaults", list(goray.stream(streams.Repeat, "w")), ["w!"] * 3)
    expect("by keyword", list(goray.stream(streams.Repeat, word="w", times=2, suffix="?")),
           ["w?"] * 2)
    expect("with options", list(goray.stream(streams.Repeat.options(num_cpus=1), "x", 1)), ["x!"])
    tagger = streams.Tagger.remote("T")
    expect("a method by keyword", list(goray.stream(tagger.Tag, prefix="p", n=3)), ["pT"] * 3)
    expect("a method's default", list(goray.stream(tagger.Tag, "q")), ["qT"] * 2)
    stream = goray.stream(streams.Repeat, "z", 4)
    expect("grouped", (stream.grouped, list(stream)), (True, ["z!"] * 4))


if __name__ == "__main__":
    sys.exit(run("streams", checks))
