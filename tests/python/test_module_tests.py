"""Every module of python/goray and every source of runtime/src names its tests
(scripts/module-tests.py, docs/testing.md "Finding a module's tests"): the tree's map
holds, and on planted trees a module without
the line (or a rendered one whose template lacks it), a named test file that is missing
and one that never mentions the module each fail naming the module's file; --write fills
the lines from the tests' imports and mentions, as a comment below the docstring where the
docs site renders it."""

import importlib.util
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "module-tests.py"


def _script():
    spec = importlib.util.spec_from_file_location("module_tests", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


module_tests = _script()


def plant(root: pathlib.Path, files: dict) -> pathlib.Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "docs").mkdir(exist_ok=True)
    return root


def test_every_module_of_the_package_names_tests_that_exist_and_mention_it():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "each name their tests" in result.stdout


def test_the_line_is_read_from_the_docstring_or_the_comment_below_it(tmp_path):
    wrapped = plant(tmp_path, {"a.py": '''
        """What a does.

        Tests: tests/python/test_a.py,
        tests/ray/test_b.py
        """
        # Tests: tests/python/test_not_this.py
        ''', "b.py": '''
        """What b does, shown in the docs."""
        # Tests: tests/python/test_b.py, tests/ray/test_c.py
        # tests/docs/test_d.py

        import os
        ''', "c.py": '"""Nothing about tests."""\n'})
    assert module_tests.named_tests(wrapped / "a.py") == ["tests/python/test_a.py",
                                                          "tests/ray/test_b.py"]
    assert module_tests.named_tests(wrapped / "b.py") == [
        "tests/python/test_b.py", "tests/ray/test_c.py", "tests/docs/test_d.py"]
    assert module_tests.named_tests(wrapped / "c.py") is None


def test_a_missing_line_a_missing_file_and_a_file_that_never_mentions_the_module_fail(tmp_path):
    root = plant(tmp_path, {
        "python/goray/__init__.py": '"""goray.\n\nTests: tests/python/test_ok.py\n"""\n',
        "python/goray/_ok.py": '"""Fine.\n\nTests: tests/python/test_ok.py\n"""\n',
        "python/goray/_bare.py": '"""No line."""\n',
        "python/goray/_gone.py": '"""Names a file that is not there.\n\nTests: tests/python/test_gone.py\n"""\n',
        "python/goray/_elsewhere.py": '"""Names a test of something else.\n\nTests: tests/python/test_ok.py\n"""\n',
        "python/goray/_numbers.py": '"""Rendered.\n\nDO NOT EDIT: from a table.\n"""\n',
        "tests/python/test_ok.py": "import goray\nfrom goray import _ok\n",
    })
    problems = module_tests.check(root)
    assert problems == [
        "python/goray/_bare.py: no 'Tests:' line naming the tests of goray._bare "
        "(python3 scripts/module-tests.py --write adds it)",
        "python/goray/_elsewhere.py: tests/python/test_ok.py (named by its 'Tests:' line) "
        "neither imports nor names goray._elsewhere",
        "python/goray/_gone.py: tests/python/test_gone.py (named by its 'Tests:' line) does "
        "not exist",
        "python/goray/_numbers.py: no 'Tests:' line naming the tests of goray._numbers "
        "(rendered: name them in its template's docstring)",
    ]
    result = subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.count("\n") == 4, result.stderr


def test_write_fills_each_line_from_the_tests_evidence(tmp_path):
    root = plant(tmp_path, {
        "python/goray/__init__.py": '"""The package, rendered by the docs site."""\nfrom ._api import run\n',
        "python/goray/_api.py": '"""Runs things."""\n\n\ndef run():\n    pass\n',
        "python/goray/_codec.py": '"""Packs values.\n\nTests: tests/python/test_stale.py\n"""\n',
        "python/goray/_pipeline.py": '"""Reached only through the pipeline."""\n',
        "python/goray/_rendered.py": '"""Numbers.\n\nDO NOT EDIT: rendered.\n"""\n',
        "tests/python/test_codec.py": "from goray import _codec\n",
        "tests/python/test_values.py": "import goray._codec\nimport goray\ngoray.run()\n",
        "tests/ray/test_other.py": '"""Mentions goray._codec.pack in passing."""\n',
        "docs/reference.md": "::: goray\n",
    })
    changed, left = module_tests.write(root)
    assert sorted(changed) == ["python/goray/__init__.py", "python/goray/_api.py",
                               "python/goray/_codec.py"]
    assert left == [
        "no test imports or names goray._pipeline: name it in the docstring of the test that "
        "exercises it",
        "python/goray/_rendered.py is rendered (DO NOT EDIT): name its tests in its template",
    ]
    # Named after the module first, then importing it, then mentioning it.
    assert (root / "python/goray/_codec.py").read_text() == (
        '"""Packs values.\n\nTests: tests/python/test_codec.py, tests/python/test_values.py, '
        'tests/ray/test_other.py\n"""\n')
    # goray.run is _api's: a test calling it exercises _api.
    assert (root / "python/goray/_api.py").read_text().startswith(
        '"""Runs things.\n\nTests: tests/python/test_values.py\n"""\n')
    # The docs site renders goray's docstring: the line goes below it.
    assert (root / "python/goray/__init__.py").read_text() == (
        '"""The package, rendered by the docs site."""\n# Tests: tests/python/test_values.py, '
        "tests/python/test_codec.py, tests/ray/test_other.py\nfrom ._api import run\n")
    assert module_tests.write(root)[0] == []  # a second write changes nothing


def test_the_runtimes_sources_name_their_tests_in_their_leading_comment(tmp_path):
    # runtime/src/*/: a source's "// Tests:" line ends its leading comment; evidence is a C++
    # test named after it, or a test naming its file or its header (goray/feed.h).
    root = plant(tmp_path, {
        "runtime/src/calls_out/feed.cpp": "// goray::Feed's commands.\n#include <x>\n",
        "runtime/src/calls_in/serve_loop.cpp": "// Serves commands.\n// Tests: tests/cpp/gone_test.cpp\n",
        "runtime/src/calls_in/serve_loop.h": "// Declares it.\n#pragma once\n",
        "runtime/src/calls_in/pace.h": "// A pace.\n#pragma once\n",
        "runtime/src/codec/pin_table.cpp": "// Pins.\n",
        "tests/cpp/feed_test.cpp": '#include "goray/feed.h"\n',
        "tests/cpp/entry_test.cpp": "// Exercises calls_in/serve_loop.cpp and calls_in/pace.h.\n",
        "tests/fuzz/feed_fuzz.cpp": "int main() {}\n",
        "tests/python/test_pin_table.py": '"""Python\'s pin table, not the runtime\'s."""\n',
        "tests/ray/test_feeds.py": '"""Also runs goray::Feed (goray/feed.h)."""\n',
    })
    assert module_tests.cpp_check(root) == [
        "runtime/src/calls_in/pace.h: no '// Tests:' line naming its tests "
        "(python3 scripts/module-tests.py --write adds it)",
        "runtime/src/calls_in/serve_loop.cpp: tests/cpp/gone_test.cpp (named by its 'Tests:' line) "
        "does not exist",
        "runtime/src/calls_out/feed.cpp: no '// Tests:' line naming its tests "
        "(python3 scripts/module-tests.py --write adds it)",
        "runtime/src/codec/pin_table.cpp: no '// Tests:' line naming its tests "
        "(python3 scripts/module-tests.py --write adds it)",
    ]  # serve_loop.h is serve_loop.cpp's: no line of its own
    changed, left = module_tests.cpp_write(root)
    assert changed == ["runtime/src/calls_in/pace.h", "runtime/src/calls_in/serve_loop.cpp",
                       "runtime/src/calls_out/feed.cpp"]
    assert left == ["no test names runtime/src/codec/pin_table.cpp: name it in a comment of the test "
                    "that exercises it"]
    # Named after it first, the C++ tests before the Python ones; the old line replaced.
    assert (root / "runtime/src/calls_out/feed.cpp").read_text() == (
        "// goray::Feed's commands.\n// Tests: tests/cpp/feed_test.cpp, "
        "tests/fuzz/feed_fuzz.cpp, tests/ray/test_feeds.py\n#include <x>\n")
    assert (root / "runtime/src/calls_in/serve_loop.cpp").read_text() == (
        "// Serves commands.\n// Tests: tests/cpp/entry_test.cpp\n")
    assert module_tests.cpp_named_tests(root / "runtime/src/calls_out/feed.cpp") == [
        "tests/cpp/feed_test.cpp", "tests/fuzz/feed_fuzz.cpp", "tests/ray/test_feeds.py"]
    assert module_tests.cpp_write(root)[0] == []  # a second write changes nothing
    (root / "tests/ray/test_feeds.py").write_text('"""No longer about it."""\n')
    assert module_tests.cpp_check(root) == [
        "runtime/src/calls_out/feed.cpp: tests/ray/test_feeds.py (named by its 'Tests:' "
        "line) is not named after feed.cpp and does not name it",
        "runtime/src/codec/pin_table.cpp: no '// Tests:' line naming its tests "
        "(python3 scripts/module-tests.py --write adds it)",
    ]
