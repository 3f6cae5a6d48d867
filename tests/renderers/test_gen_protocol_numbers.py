"""The protocol's numbers: one table (generator/protocol/numbers.json) rendered with
goray-gen's templates into the runtime's header, goray._protocol_numbers, version.h's
GORAY_PROTOCOL_VERSION and docs/protocol.md's tables (scripts/render-protocol.py;
goray.gen.protocol_table). The renderings are committed: these tests fail while one is
stale, and say which and how to render it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goray.gen import protocol_table

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "render-protocol.py"
OUTPUTS = sorted({**protocol_table.WHOLE_FILES, **protocol_table.SPLICED_FILES})


def _render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120)


def test_every_rendering_is_the_tables(tmp_path: Path):
    # Rendered into a folder of its own, then compared with the committed files.
    result = _render("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stale = [path for path in OUTPUTS
             if (tmp_path / path).read_text() != (REPO / path).read_text()]
    assert not stale, (f"stale renderings of {protocol_table.TABLE}: {stale}; run "
                       f".venv/bin/python scripts/render-protocol.py and commit them")


def _copy_of_the_repository(root: Path) -> Path:
    """The table, the templates and the outputs: what the script reads and writes."""
    for path in [protocol_table.TABLE, *OUTPUTS]:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / path, root / path)
    shutil.copytree(REPO / "templates" / "protocol", root / "templates" / "protocol")
    return root


def _edit_table(root: Path, edit) -> None:
    path = root / protocol_table.TABLE
    table = json.loads(path.read_text())
    edit(table)
    path.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n")


def test_check_names_each_stale_rendering_and_the_script_renders_them(tmp_path: Path):
    root = _copy_of_the_repository(tmp_path)
    assert _render("--check", "--root", str(root)).returncode == 0

    def rename_get_actor(table):
        next(e for e in table["native2py"] if e["number"] == 15)["doc"] = "find a named actor"
    _edit_table(root, rename_get_actor)  # a comment of the C++ and Python renderings only
    result = _render("--check", "--root", str(root))
    assert result.returncode == 1
    assert "runtime/include/goray/detail/protocol_numbers.h is stale" in result.stderr
    assert "python/goray/_protocol_numbers.py is stale" in result.stderr
    assert "docs/protocol.md" not in result.stderr and "version.h" not in result.stderr

    written = _render("--root", str(root))
    assert written.returncode == 0, written.stderr
    assert "// find a named actor (docs/protocol.md §3)\n  kGetActor = 15," in (
        root / "runtime/include/goray/detail/protocol_numbers.h").read_text()
    assert _render("--check", "--root", str(root)).returncode == 0


def test_a_new_version_reaches_every_rendering(tmp_path: Path):
    root = _copy_of_the_repository(tmp_path)
    newest = json.loads((REPO / protocol_table.TABLE).read_text())["versions"][-1]["number"]

    def add_version(table):
        table["versions"].append({"number": newest + 1, "name": "Sample", "adds": "a sample",
                                  "section": "§7"})
        table["features"].append({"number": 1 << 40, "name": "Sample", "since": newest + 1,
                                  "feature": "a sample feature"})
    _edit_table(root, add_version)
    assert _render("--root", str(root)).returncode == 0
    header = (root / "runtime/include/goray/version.h").read_text()
    assert f"#define GORAY_PROTOCOL_VERSION {newest + 1}\n" in header
    numbers = (root / "runtime/include/goray/detail/protocol_numbers.h").read_text()
    assert "inline constexpr std::uint64_t kFeatureSample = 1099511627776;" in numbers
    python = (root / "python/goray/_protocol_numbers.py").read_text()
    assert f"SAMPLE_VERSION = {newest + 1}\n" in python and "    SAMPLE = 1099511627776\n" in python
    assert "| 1099511627776 | a sample feature |" in (root / "docs/protocol.md").read_text()


def test_the_packages_numbers_are_the_rendered_ones():
    from goray import _protocol, _protocol_numbers, _version
    assert _protocol.Py2Native is _protocol_numbers.Py2Native
    assert _protocol.Feature is _protocol_numbers.Feature
    # version.h's GORAY_PROTOCOL_VERSION, read back by goray._version, is the table's too.
    assert _version.PROTOCOL_VERSION == _protocol_numbers.PROTOCOL_VERSION
    table = protocol_table.load(REPO / protocol_table.TABLE)
    assert {e["name"]: e["number"] for e in table["codes"]} == {
        "".join(word.capitalize() for word in code.name.split("_")): int(code)
        for code in _protocol.Code}


def test_goray_s_own_numbers_are_goray_s():
    # Version 1 is GoRay's (its Go library and driver): the table must never renumber it.
    table = protocol_table.load(REPO / protocol_table.TABLE)
    first = {group: [(e["number"], e["name"]) for e in table[group] if e["since"] == 1]
             for group in ("py2native", "native2py", "codes")}
    assert first["py2native"] == list(enumerate([
        "GetInitOptions", "StartDriver", "GetTaskActorList", "GetActorMethods", "RunTask",
        "NewActor", "ActorMethodCall", "CloseActor"]))
    assert first["native2py"] == list(enumerate([
        "ExePythonLocalTask", "ExePyCode", "NewClassInstance", "LocalMethodCall",
        "CloseClassInstance", "ExeRemoteTask", "GetObject", "PutObject", "WaitObject",
        "CancelObject", "ReleaseObject", "NewActor", "NewPythonActor", "ActorMethodCall",
        "KillActor", "GetActor", "ExePythonRemoteTask"]))
    assert first["codes"] == list(enumerate([
        "Success", "Failed", "Timeout", "Cancelled", "ObjectRefNotFound", "Panic"]))


def _table() -> dict:
    return json.loads((REPO / protocol_table.TABLE).read_text())


@pytest.mark.parametrize("edit, says", [
    (lambda t: t["py2native"].append(dict(t["py2native"][-1], name="Again")),
     "py2native[23] (Again): number 46 is py2native[22]'s too"),
    (lambda t: t["native2py"][0].update(numbr=3),
     "native2py[0] (ExePythonLocalTask): unknown key 'numbr'"),
    (lambda t: t["features"][0].update(number=3),
     "features[0] (Pipelined): expected number to be one bit of a u64, received 3"),
    (lambda t: t["exts"][0].update(since=99),
     "exts[0] (ArrayInline): expected since to be a version, 1..8, or absent; received 99"),
    (lambda t: t["py2native"][0].pop("reply"),
     "py2native[0] (GetInitOptions): the row of its docs table needs 'reply'"),
    (lambda t: t["py2native"][0].update(table="native2py-v1"),
     "py2native[0] (GetInitOptions): unknown table 'native2py-v1' for py2native"),
    (lambda t: t["py2native"].append({"number": 2000, "name": "TooBig"}),
     "py2native[23] (TooBig): expected number to be a command from 0 below 2**command_bits"),
    (lambda t: t["versions"].pop(1),
     "versions[1]: expected number 2 (versions count from 1, in order), received 3"),
    (lambda t: t.pop("stream_tags"), "the file: no 'stream_tags'"),
])
def test_a_table_that_is_wrong_is_refused_saying_where(edit, says):
    table = _table()
    edit(table)
    with pytest.raises(protocol_table.TableError) as error:
        protocol_table.check(table)
    assert says in str(error.value)
    assert str(error.value).startswith(protocol_table.TABLE)


@pytest.mark.parametrize("text, says", [
    ("intro\n", "docs/protocol.md: no block 'one'"),
    ("<!-- BEGIN rendered from generator/protocol/numbers.json: one -->\nold\n",
     "docs/protocol.md:1: block 'one' has no 'END rendered: one' line"),
    ("<!-- BEGIN rendered from generator/protocol/numbers.json: one -->\n"
     "<!-- END rendered: one -->\n<!-- BEGIN rendered from generator/protocol/numbers.json: two -->\n"
     "<!-- END rendered: two -->\n", "docs/protocol.md: block 'two' is rendered by no template"),
])
def test_a_marked_file_that_is_wrong_is_refused_saying_where(text, says):
    rendered = ("<!-- BEGIN rendered from generator/protocol/numbers.json: one -->\nnew\n"
                "<!-- END rendered: one -->\n")
    with pytest.raises(protocol_table.TableError) as error:
        protocol_table.splice(text, rendered, "docs/protocol.md")
    assert says in str(error.value)


def test_splicing_keeps_the_text_around_the_blocks():
    text = ("before\n<!-- BEGIN rendered from generator/protocol/numbers.json: one (x) -->\nold\n"
            "<!-- END rendered: one -->\nafter\n")
    rendered = ("<!-- BEGIN rendered from generator/protocol/numbers.json: one (x) -->\nnew\n"
                "<!-- END rendered: one -->\n")
    assert protocol_table.splice(text, rendered, "t.md") == "before\n" + rendered + "after\n"


def test_number_ranges_and_python_names():
    assert protocol_table.number_ranges([7, 0, 1, 2, 5, 8]) == "0-2, 5, 7-8"
    assert protocol_table.upper_snake("ObjectRefNotFound") == "OBJECT_REF_NOT_FOUND"


# A return code written as a number in the runtime: compared (`reply.code != 0`), set
# (`code = 1;`) or passed (`TextReply(1, ...)`). Comments are left out; sizes, counts and
# errno are not matched (only a name ending in `code`, or TextReply's first argument).
_LITERAL_CODE = re.compile(r"code\s*(?:==|!=|=)\s*-?\d+\b|\bTextReply\(\s*-?\d")


def _literal_codes(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if _LITERAL_CODE.search(line.split("//", 1)[0])]


def test_the_literal_code_check_finds_numbers_and_passes_names():
    assert _literal_codes("  if (reply.code == 2 || reply.code == 4) Throw();") != []
    assert _literal_codes("  long long ret_code = 1;") != []
    assert _literal_codes("  return TextReply(0, text);") != []
    assert _literal_codes("  if (reply.code != kSuccess) Throw();  // code 0 is the answer") == []
    assert _literal_codes("  int status = 0;  if (status == 0) {}") == []


def test_the_runtime_names_its_return_codes():
    # protocol_numbers.h's ReturnCode names, never the numbers (issue 64: one table).
    rendered = REPO / "runtime" / "include" / "goray" / "detail" / "protocol_numbers.h"
    found = {str(path.relative_to(REPO)): lines
             for root in (REPO / "runtime" / "src", REPO / "runtime" / "include" / "goray")
             for path in sorted(root.rglob("*")) if path.suffix in (".h", ".cpp")
             and path != rendered and (lines := _literal_codes(path.read_text()))}
    assert not found, f"return codes as numbers (use protocol_numbers.h's kSuccess ...): {found}"


# ---- constants: typed once, in the table ------------------------------------------------

_SOURCES = (REPO / "runtime" / "src", REPO / "runtime" / "include" / "goray", REPO / "python" / "goray")
_RENDERED = {REPO / path for path in protocol_table.WHOLE_FILES}
# The forms a hand-typed copy of a constant took before the table had it (issue 71): the
# array ext's head arithmetic, its dimension limit, the out-of-band threshold by name.
_COPIES = re.compile(
    r"\b4 \+ 8 \*"                                           # head + extent * ndim
    r"|\bndim\s*>\s*32\b|\b8 \* 32\b"                        # the dimension limit
    r"|\b(?:end|fixed) \+ 16\b"                              # ext 72's address and token
    r"|\b8 \+ 16 \* \w+"                                     # ext 79's head + chunks
    r"|OUT_OF_BAND_FROM\s*=\s*\d|kOutOfBandFrom\s*=\s*\d"     # the threshold, assigned a number
    r"|\b(?:FASTPATH_INTERFACE|kInterface)\s*=\s*\d"          # the fast path's interface
    r"|\bAS_(?:NATIVE|PYTHON)\s*=\s*\d")                     # NextStreamItem's index


def _assigned_names(text: str) -> dict[str, int]:
    """Names assigned a plain integer (C++ `constexpr ... kName = 65536;`, Python `NAME = 1 << 16`)."""
    found = {}
    pattern = (r"(?:constexpr[^=;\n]*?\b(k[A-Z]\w*)|^([A-Z][A-Z0-9_]*))\s*(?::[^=\n]*)?="
               r"\s*([0-9][0-9 x<*+]*?)\s*[;\n]")
    for match in re.finditer(pattern, text, re.MULTILINE):
        try:
            value = eval(match.group(3), {"__builtins__": {}})  # digits, <<, *, + only
        except SyntaxError:
            continue
        found[match.group(1) or match.group(2)] = value
    return found


def _words(name: str) -> str:
    """kOutOfBandFrom, OUT_OF_BAND_FROM -> "outofbandfrom"."""
    return re.sub(r"^k(?=[A-Z])", "", name).replace("_", "").lower()


def _constants() -> dict[str, int]:
    """The table's constants by their names' words."""
    return {_words(entry["name"]): entry["number"]
            for entry in protocol_table.load(REPO / protocol_table.TABLE)["constants"]}


def test_no_constant_of_the_table_is_typed_again():
    constants = _constants()
    copies = []
    for root in _SOURCES:
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".h", ".cpp", ".py") or path in _RENDERED or "gen" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            where = path.relative_to(REPO)
            copies += [f"{where}: {line.strip()}" for line in text.splitlines()
                       if _COPIES.search(line.split("//", 1)[0].split("#", 1)[0])]
            copies += [f"{where}: {name} = {value}" for name, value in _assigned_names(text).items()
                       if constants.get(_words(name)) == value]
    assert not copies, (f"constants of {protocol_table.TABLE} typed by hand (use goray::detail::k<Name> "
                        f"or goray._protocol_numbers): {copies}")


@pytest.mark.parametrize("text", [
    "inline constexpr std::size_t kMaxArrayDims = 32;",
    "OUT_OF_BAND_FROM = 1 << 16\n",
    "  const std::size_t fixed = 4 + 8 * ndim;",
    "    if (kind == 0 || view.ndim > 32) return false;",
    "AS_PYTHON = 1\n",
])
def test_the_copy_check_finds_a_constant_typed_by_hand(text):
    constants = _constants()
    named = [name for name, value in _assigned_names(text).items() if constants.get(_words(name)) == value]
    assert _COPIES.search(text) or named, text
