"""The docs site (mkdocs.yml, docs/testing.md "The docs site"): docs/ built by MkDocs in
strict mode with the command the docs give (scripts/docsite/build.sh, which installs its
pinned packages itself), and its two API references complete.
Small sites built with the same configuration show that a broken link, a missing anchor
or a link to a file the repository lacks fails the build."""
from __future__ import annotations

import html.parser
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest

from conftest import REPO, VENV

sys.path.insert(0, str(REPO / "scripts" / "docsite"))
import bench_reports  # noqa: E402
import cpp_api  # noqa: E402
import cpp_reference  # noqa: E402
import reference_uses  # noqa: E402  (tests/docs/, on the path as the tests' folder)

SITE = REPO / "build" / "site"


SITE_SCRIPT = REPO / "scripts" / "docsite" / "build.sh"


def without_checkout_venv() -> Dict[str, str]:
    """This environment without the checkout's .venv on PATH: the script needs none."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["PATH"] = os.pathsep.join(
        entry for entry in environment.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != (VENV / "bin").resolve())
    return environment


@pytest.fixture(scope="session")
def site() -> Path:
    """The site, built by the command the docs give (mkdocs.yml says strict and where)."""
    result = subprocess.run(["bash", str(SITE_SCRIPT)], cwd=REPO, env=without_checkout_venv(),
                            text=True, capture_output=True, timeout=900)
    assert result.returncode == 0, f"{SITE_SCRIPT} failed:\n{result.stderr[-5000:]}"
    assert "WARNING" not in result.stderr, result.stderr[-5000:]
    return SITE


def test_the_site_script_runs_mkdocs_of_its_own_with_its_arguments(site: Path):
    """The script's MkDocs is its own virtualenv's (.tools/docsite), at the pins of
    python/requirements-docs.txt, and takes mkdocs' arguments (serve's options)."""
    tools = REPO / ".tools" / "docsite"
    pins = [line.split("#")[0].strip() for line in
            (REPO / "python" / "requirements-docs.txt").read_text(encoding="utf-8").splitlines()]
    pins = [pin for pin in pins if pin]
    assert len(pins) >= 5 and all("==" in pin for pin in pins), pins
    frozen = subprocess.run([str(tools / "bin" / "python"), "-m", "pip", "freeze"], text=True,
                            capture_output=True, check=True).stdout.lower().splitlines()
    for pin in pins:
        assert pin.lower() in frozen, (pin, frozen)
    result = subprocess.run(["bash", str(SITE_SCRIPT), "serve", "--help"], cwd=REPO,
                            env=without_checkout_venv(), text=True, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--dev-addr" in result.stdout and "-a" in result.stdout, result.stdout


def test_the_site_has_every_page_search_and_navigation(site: Path):
    pages = sorted(p.relative_to(REPO / "docs").with_suffix(".html").as_posix()
                   for p in (REPO / "docs").rglob("*.md") if p.name != "README.md")
    missing = [page for page in pages if not (site / page).is_file()]
    assert not missing, missing
    assert (site / "index.html").is_file()  # docs/README.md, the home page
    assert (site / "search" / "search_index.json").is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    for section in ("Tutorial", "How-to guides", "Reference", "Explanations", "For maintainers"):
        assert section in home, section


# --- the Python reference ---------------------------------------------------------------

def inventory(site: Path) -> Set[str]:
    """The names in the site's objects.inv (Sphinx's inventory, which mkdocstrings writes)."""
    data = (site / "objects.inv").read_bytes()
    header_lines = data.split(b"\n", 4)
    assert header_lines[0].startswith(b"# Sphinx inventory version 2"), header_lines[0]
    body = zlib.decompress(header_lines[4])
    return {line.split(" ", 1)[0] for line in body.decode("utf-8").splitlines() if line}


def public_python_names() -> Dict[str, List[str]]:
    code = ("import json, goray, goray.serve, goray.data\n"
            "print(json.dumps({m.__name__: list(m.__all__) for m in (goray, goray.serve, goray.data)}))")
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", code], check=True, text=True,
                         capture_output=True).stdout
    return json.loads(out)


def test_the_python_reference_documents_every_public_name(site: Path):
    documented = inventory(site)
    missing = [f"{module}.{name}" for module, names in public_python_names().items()
               for name in names if f"{module}.{name}" not in documented]
    assert not missing, (f"not in the Python reference (a public name needs a docstring, "
                         f"which mkdocstrings shows): {missing}")
    # What golang_task, golang_actor_class and goray.stream return.
    for name in ("goray._native_remote.NativeTask", "goray._native_remote.NativeActorClass",
                 "goray._ray.py2native.value_streams.ItemStream"):
        assert name in documented, name


# The pages whose every goray name and attribute the reference must have (issue 59 §10):
# the tutorial, the remote-call pages remote.md lists (issue 64 §5 split it) and types.md.
GUIDE_PAGES = ("guide.md", "calls.md", "refs.md", "streams.md", "actors.md", "graphs.md",
               "errors.md", "types.md")


def test_the_python_reference_covers_what_the_guide_uses(site: Path):
    import goray

    documented = inventory(site)
    uses = [use for page in GUIDE_PAGES for use in reference_uses.find_uses(
        (REPO / "docs" / page).read_text(encoding="utf-8"), f"docs/{page}")]
    paths = {use.path for use in uses}
    call = reference_uses.CALL
    for seen in (("NativeError", "type"), ("NativeError", "traceback"), ("ArgumentError", "position"),
                 ("UnknownNameError", "known"), ("NativeCrash", "frames"), ("shutdown",),
                 ("golang_task", call, "options"), ("golang_actor_class", call, "options")):
        assert seen in paths, f"the pages no longer use {seen}: is the scan still right?"
    lacking = reference_uses.missing(uses, goray, documented)
    assert not lacking, ("names and attributes the guide, the remote-call pages or types.md use "
                         "that the Python reference lacks (a docstring makes mkdocstrings show one):\n"
                         + "\n".join(lacking))
    # A generated module's objects (rayapp.Square, rayapp.Counter: docs/generator.md).
    for name in ("goray._stubs.Task.remote", "goray._stubs.Task.options", "goray._stubs.Task.map",
                 "goray._stubs.ActorClass.remote", "goray._stubs.ActorClass.options",
                 "goray._stubs.ActorClass.thread_safe"):
        assert name in documented, name


FAKE_PACKAGE = '''
from typing import Any


class Oops(Exception):
    """An error."""
    code: int
    """Its code."""


class Handle:
    def go(self) -> "Handle": ...
    def __getattr__(self, name: str) -> Any: ...


def make(name: str) -> Handle: ...
'''

FAKE_PAGE = '''Call `fakepkg.make("x").go().go()` or `fakepkg.make("y").Dynamic()`; see <fakepkg/fakepkg.h>
and fakepkg.h, not notfakepkg.Thing or a.fakepkg.Thing.

| `fakepkg.Oops` | it failed (`.code`, `.reason`); its task's `.remote()` is another object's |

`fakepkg.Oops` (`.code`,
`.detail`) and fakepkg._private.thing

```python
try:
    fakepkg.make("z")
except fakepkg.Oops as e:
    print(e.code, e.cause)
```
'''


def test_the_reference_check_finds_uses_and_what_lacks(tmp_path: Path, monkeypatch):
    """On a package and a page of its own: dotted names, a call's result's attributes,
    listed ones, a caught error's; a file name, a private name and an attribute answered by
    __getattr__ are not checked."""
    (tmp_path / "fakepkg").mkdir()
    (tmp_path / "fakepkg" / "__init__.py").write_text(FAKE_PACKAGE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    fakepkg = importlib.import_module("fakepkg")
    call = reference_uses.CALL
    uses = reference_uses.find_uses(FAKE_PAGE, "page.md", package="fakepkg")
    assert {use.path for use in uses} == {
        ("make",), ("make", call, "go"), ("make", call, "go", call, "go"),
        ("make", call, "Dynamic"), ("Oops",), ("Oops", "code"), ("Oops", "reason"),
        ("Oops", "detail"), ("_private", "thing"), ("Oops", "cause")}
    assert next(use.line for use in uses if use.path == ("Oops", "cause")) == 13
    inventory = {"fakepkg.make", "fakepkg.Handle.go", "fakepkg.Oops", "fakepkg.Oops.code"}
    lacking = reference_uses.missing(uses, fakepkg, inventory)
    assert [entry.split(" (")[0] for entry in lacking] == [
        "page.md:4: Oops.reason", "page.md:6: Oops.detail", "page.md:13: Oops.cause"]
    assert reference_uses.missing(uses, fakepkg, inventory | {
        "fakepkg.Oops.reason", "fakepkg.Oops.detail", "fakepkg.Oops.cause"}) == []


def test_the_map_forms_table_lists_every_form():
    page = (REPO / "docs" / "reference" / "python.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `callee\.(\w+)\(", page, re.M))
    code = "import json, goray._map.api as api; print(json.dumps(sorted(api.FORMS)))"
    forms = subprocess.run([str(VENV / "bin" / "python"), "-c", code], check=True, text=True,
                           capture_output=True).stdout
    assert listed == set(json.loads(forms))


# --- the C++ reference ------------------------------------------------------------------

@pytest.fixture(scope="session")
def cpp_headers() -> List[cpp_api.Header]:
    return cpp_api.read_api()


def test_every_public_cpp_name_has_its_comment(cpp_headers):
    missing = cpp_reference.undocumented(cpp_headers)
    assert not missing, ("public names without a comment right above their declaration "
                         "(the C++ reference's line of meaning):\n" + "\n".join(missing))


def test_the_public_cpp_names_are_those_a_user_writes(cpp_headers):
    names = {entity.name for entity in cpp_api.public_names(cpp_headers)}
    for name in ("goray::RemoteCall", "goray::RemoteCallPyTask", "goray::RemoteStream",
                 "goray::Get", "goray::Put", "goray::Wait", "goray::AsCompleted",
                 "goray::ObjectRef", "goray::Future", "goray::Stream", "goray::Generator",
                 "goray::Array", "goray::ArrayView", "goray::Value", "goray::Unresolved",
                 "goray::Map", "goray::MapCollect", "goray::MapTask", "goray::MapPython",
                 "goray::Shared", "goray::MapOptions", "goray::MapOutcome", "goray::TaskOf",
                 "goray::ActorHandle", "goray::ActorHandleOf", "goray::NewActor",
                 "goray::NewPyActor", "goray::GetActor", "goray::Option", "goray::RawJson",
                 "goray::LocalCallPyTask", "goray::LocalResult", "goray::PyLocalInstance",
                 "goray::Graph", "goray::CompiledGraph", "goray::GraphRef",
                 "goray::serve::Handle", "goray::serve::Stream",
                 "goray::Error", "goray::TaskError", "goray::PythonError",
                 "goray::ArgumentError", "goray::TimeoutError", "goray::codec::DecodeError",
                 "GORAY_TASKS", "GORAY_ACTORS", "GORAY_ACTOR", "GORAY_DRIVER",
                 "GORAY_INIT_OPTIONS", "GORAY_THREADSAFE", "GORAY_CONCURRENCY_GROUP",
                 "GORAY_IN_GROUP", "GORAY_KEEP_GIL", "GORAY_VERSION_STRING", "GORAY_PROTOCOL_VERSION",
                 "Execute", "FreeMemory", "RegisterCallback"):
        assert name in names, name
    internal = sorted(name for name in names if "detail" in name.split("::")
                      or name.endswith("_") or not (name.startswith(("goray::", "GORAY_"))
                                                    or name in {"Execute", "FreeMemory",
                                                                "RegisterCallback", "GorayDriverCallback",
                                                                "GorayProtocolVersion",
                                                                "GoraySetCrashReport",
                                                                "GorayRecoverCrashes",
                                                                "GorayTypedEntries"}))
    assert not internal, internal
    object_ref = next(e for e in cpp_api.public_names(cpp_headers) if e.name == "goray::ObjectRef")
    members = "\n".join(line for d in object_ref.declarations for line in (d.members or []))
    assert "auto Get() const;" in members and "void Wait() const;" in members
    assert "state_" not in members and "FetchAndDecode" not in members  # private


class _Headings(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: List[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag == "h3":
            self._open = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == "h3":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.headings[-1] += data


def test_the_cpp_reference_shows_every_public_name(site: Path, cpp_headers):
    parser = _Headings()
    parser.feed((site / "reference" / "cpp.html").read_text(encoding="utf-8"))
    shown = sorted(heading.strip().rstrip("¶").strip() for heading in parser.headings)
    expected = sorted(cpp_reference.short_name(entity.name)
                      for entity in cpp_api.public_names(cpp_headers))
    assert shown == expected


def test_the_comment_check_reads_what_the_headers_declare(tmp_path: Path):
    """On headers of its own: a public name without a comment is reported; detail names,
    private members and helper macros are not public."""
    include = tmp_path / "include"
    (include / "goray" / "detail").mkdir(parents=True)
    (include / "goray" / "detail" / "inner.h").write_text(
        "#pragma once\nnamespace goray { int Hidden(); }\n")
    (include / "goray" / "goray.h").write_text('#pragma once\n#include "goray/api.h"\n')
    (include / "goray" / "api.h").write_text(
        "// A header.\n#pragma once\n#include \"goray/detail/inner.h\"\n"
        "#define GORAY_HELPER_(x) x\n"
        "// Says what it is.\n#define GORAY_DOCUMENTED 1\n#define GORAY_IN_ITS_RUN 2\n"
        "\n#define GORAY_BARE 2\n"
        "namespace goray {\n"
        "namespace detail { int Helper(); }\n"
        "// Adds.\nint Add(int a, int b);\n"
        "int Bare();\n"
        "// A class.\nclass Thing {\n public:\n  // Runs.\n  void Run();\n private:\n  int secret_;\n};\n"
        "namespace serve { struct Open { int x; }; }\n"
        "}  // namespace goray\n")
    headers = cpp_api.read_api(include)
    names = {entity.name for entity in cpp_api.public_names(headers)}
    assert names == {"goray::Add", "goray::Bare", "goray::Thing", "goray::serve::Open",
                     "GORAY_DOCUMENTED", "GORAY_IN_ITS_RUN", "GORAY_BARE"}
    missing = {line.rsplit(": ", 1)[1] for line in cpp_reference.undocumented(headers)}
    assert missing == {"goray::Bare", "GORAY_BARE", "goray::serve::Open"}
    thing = next(e for e in cpp_api.public_names(headers) if e.name == "goray::Thing")
    assert thing.declarations[0].members == ["  // Runs.", "  void Run();"]
    in_run = next(e for e in cpp_api.public_names(headers) if e.name == "GORAY_IN_ITS_RUN")
    assert in_run.comment == "Says what it is."  # a run of #define lines shares one comment


def test_the_version_numbers_stay_as_the_build_reads_them():
    """A comment between version.h's three numbers breaks the wheel's metadata regex
    (pyproject.toml), which reads them as three adjacent lines; the comment check above
    must not push one in."""
    import re as regex
    import tomllib
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pattern = next(entry["regex"] for entry in pyproject["tool"]["dynamic-metadata"]
                   if entry["field"] == "version")
    header = (REPO / "runtime" / "include" / "goray" / "version.h").read_text(encoding="utf-8")
    assert regex.search(pattern, header), pattern


# --- the maintainers' record, generated -------------------------------------------------

def test_the_peer_reports_page_gathers_every_report_newest_first(site: Path):
    page = (site / "maintainers" / "peer-reports.html").read_text(encoding="utf-8")
    found = bench_reports.reports()
    assert len(found) >= 2
    positions = [page.index(report.path) for report in found]
    assert positions == sorted(positions), [report.path for report in found]
    for report in found:  # each report's own header line: command, machine, date, load
        generated = next(line for line in report.text.splitlines() if line.startswith("Generated by"))
        assert html.escape(generated.split("(")[0].replace("`", ""), quote=False).strip() in \
            re.sub(r"</?code>", "", page)


def test_a_report_without_its_date_line_is_refused(tmp_path: Path):
    (tmp_path / "bench" / "run").mkdir(parents=True)
    (tmp_path / "bench" / "report.md").write_text(
        "# t\n\nGenerated by `x` on 2 CPUs, 2026-01-02 03:04 UTC.\n\n## Targets\n\n[c](../docs/compared.md)\n")
    (tmp_path / "bench" / "run" / "report.md").write_text(
        "# t\n\nGenerated by `x` on 2 CPUs, 2026-01-03 03:04 UTC.\n\n[c](../../docs/compared.md)\n")
    text = bench_reports.render(tmp_path)
    assert text.index("bench/run/report.md") < text.index("`bench/report.md`")  # newest first
    assert "### Targets" in text and text.count("](../compared.md)") == 2
    (tmp_path / "bench" / "run" / "report.md").write_text("# t\n\nno date\n")
    with pytest.raises(bench_reports.ReportError, match="bench/run/report.md"):
        bench_reports.render(tmp_path)


# --- strict mode, on small sites --------------------------------------------------------

def build_small_site(tmp: Path, pages: Dict[str, str], caplog) -> List[str]:
    """Builds `pages` with the project's mkdocs.yml (its hooks, validation and strict
    mode); returns the warnings, raising mkdocs' Abort as its CLI would exit 1."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp / "docs"
    shutil.rmtree(tmp, ignore_errors=True)
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    config = load_config(str(REPO / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp / "site"),
                         nav=sorted(pages))
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        build(config)
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.fixture
def small_site_dir() -> Iterator[Path]:
    """Under the repository's build/ (as docs/ is in it), so that `..` links reach the
    repository's files."""
    folder = REPO / "build" / "docsite-test"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


GOOD = {
    "index.md": "# Home\n\n[other](other.md#second), [the second From C++](other.md#from-c-1), "
                "[the README](../../../README.md)\n",
    "other.md": "# Other\n\n## Second\n\n## From C++\n\ntext\n\n## From C++\n\ntext\n",
    "lists.md": "# Lists\n\nAs on GitHub:\n- one\n  - one's own\n- two\n\nAfter.\n",
}


def test_a_site_with_sound_links_builds(small_site_dir, caplog):
    assert build_small_site(small_site_dir, GOOD, caplog) == []
    index = (small_site_dir / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="other.html#from-c-1"' in index
    other = (small_site_dir / "site" / "other.html").read_text(encoding="utf-8")
    assert 'id="from-c-1"' in other and 'id="from-c_1"' in other
    lists = re.sub(r"\s+", "", (small_site_dir / "site" / "lists.html").read_text(encoding="utf-8"))
    assert "<p>AsonGitHub:</p><ul><li>one<ul><li>one'sown</li></ul></li><li>two</li></ul><p>After.</p>" in lists


@pytest.mark.parametrize("link, says", [
    ("missing.md", "missing.md"),
    ("other.md#no-such-heading", "no-such-heading"),
    ("../../../no/such/file.txt", "no/such/file.txt"),
], ids=["broken link", "missing anchor", "missing repository file"])
def test_strict_mode_fails_the_build(small_site_dir, caplog, link, says):
    from mkdocs.exceptions import Abort

    pages = dict(GOOD, **{"index.md": GOOD["index.md"] + f"\n[bad]({link})\n"})
    with pytest.raises(Abort, match="strict mode"):
        build_small_site(small_site_dir, pages, caplog)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and says in warnings[0], warnings
