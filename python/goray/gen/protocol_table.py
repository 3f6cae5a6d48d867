"""The protocol's numbers: one table (generator/protocol/numbers.json) rendered with
goray-gen's templates (templates/protocol/) into every place that needs them.

The renderings are committed, so nothing that builds the runtime needs Python:
runtime/include/goray/detail/protocol_numbers.h and python/goray/_protocol_numbers.py
are whole files; docs/protocol.md's numbered tables and version.h's
GORAY_PROTOCOL_VERSION are blocks between marker lines, the text around them written by
hand. scripts/render-protocol.py writes them, and tests/renderers/
test_gen_protocol_numbers.py fails while one is stale (docs/protocol.md, "Where the numbers
live"). Only the repository uses this module: a wheel has no table.

Tests: tests/renderers/test_gen_protocol_numbers.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .render import environment, templates_dir

__all__ = ["TABLE", "WHOLE_FILES", "SPLICED_FILES", "TableError", "load", "render",
           "splice", "render_repository", "stale_files", "upper_snake", "number_ranges"]

#: The table, relative to the repository's root.
TABLE = "generator/protocol/numbers.json"
#: Files rendered whole (repository path -> template under templates/).
WHOLE_FILES: Dict[str, str] = {
    "runtime/include/goray/detail/protocol_numbers.h": "protocol/protocol_numbers.h.j2",
    "python/goray/_protocol_numbers.py": "protocol/protocol_numbers.py.j2",
}
#: Files whose marked blocks are rendered (repository path -> the template of its blocks).
SPLICED_FILES: Dict[str, str] = {
    "docs/protocol.md": "protocol/protocol.md.j2",
    "runtime/include/goray/version.h": "protocol/version.h.j2",
}

_BEGIN = re.compile(r"^.*BEGIN rendered from " + re.escape(TABLE) + r": ([a-z0-9-]+)\b.*$")
_END = re.compile(r"^.*END rendered: ([a-z0-9-]+)\b.*$")
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")

# Every entry's own keys; each group adds its cells (the columns of its docs table).
_ENTRY_KEYS = ("number", "name", "since", "doc", "section", "table")
# group -> (its cells, what a number must be: a check and its words).
_Check = Tuple[Callable[[int, Dict[str, Any]], bool], str]
_COMMAND: _Check = (lambda n, t: 0 <= n < (1 << t["request_word"]["command_bits"]),
                    "a command from 0 below 2**command_bits")
_BIT: _Check = (lambda n, t: n > 0 and n & (n - 1) == 0 and n < (1 << 64),
                "one bit of a u64")
_BYTE: _Check = (lambda n, t: 0 <= n <= 255, "a byte, 0..255")
_GROUPS: Dict[str, Tuple[Tuple[str, ...], _Check]] = {
    "codes": (("reply", "note"), ((lambda n, t: 0 <= n < (1 << 63)), "a code from 0")),
    "py2native": (("request", "reply"), _COMMAND),
    "native2py": (("request", "reply", "failure"), _COMMAND),
    "features": (("feature",), _BIT),
    "records": (("stands_for", "then"), (lambda n, t: 1 <= n <= 255, "a kind byte, 1..255")),
    # msgpack's application ext types are 0..127 (the negative ones are msgpack's own).
    "exts": (("body", "cpp", "python", "without_feature"),
             (lambda n, t: 0 <= n <= 127, "an application ext type, 0..127")),
    "array_flags": (("exts",), _BYTE),
    "get_objects_flags": ((), _BIT),
    "next_stream_ref_flags": ((), _BIT),
    "stream_tags": ((), _BYTE),
    "constants": ((), ((lambda n, t: 0 <= n < (1 << 63)), "a count or size from 0")),
}
# docs/protocol.md's tables that list some entries of a group (an entry's "table") and the
# cells each row needs; the other tables list a whole group (protocol.md.j2).
_TABLES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "py2native-v1": ("py2native", ("request", "reply")),
    "py2native-arrays": ("py2native", ("request", "reply")),
    "py2native-streams": ("py2native", ("request", "reply")),
    "py2native-maps": ("py2native", ("request", "reply")),
    "native2py-v1": ("native2py", ("request", "reply", "failure")),
    "native2py-graphs": ("native2py", ("request", "reply", "failure")),
    "value-exts": ("exts", ("body", "cpp", "python", "without_feature")),
}
# Cells every entry of a group needs (its docs table lists the whole group).
_ALWAYS: Dict[str, Tuple[str, ...]] = {
    "codes": ("reply",), "features": ("feature",), "records": ("stands_for", "then"),
    "array_flags": ("exts",),
}


class TableError(ValueError):
    """The table, a template or a marked file is not as this module reads it."""


def upper_snake(name: str) -> str:
    """ObjectRefNotFound -> OBJECT_REF_NOT_FOUND (Python's spelling of a table name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def number_ranges(numbers: Iterable[int]) -> str:
    """[0, 1, 2, 5, 7, 8] -> "0-2, 5, 7-8"."""
    parts: List[str] = []
    run: List[int] = []
    for number in sorted(numbers):
        if run and number == run[-1] + 1:
            run.append(number)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [number]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(parts)


def _fail(where: str, what: str) -> TableError:
    return TableError(f"{TABLE}: {where}: {what}")


def _check_versions(versions: Any) -> List[Dict[str, Any]]:
    if not isinstance(versions, list) or not versions:
        raise _fail("versions", "expected a list of versions, 1 first")
    checked = []
    for position, version in enumerate(versions):
        where = f"versions[{position}]"
        if not isinstance(version, dict):
            raise _fail(where, f"expected an object, received {type(version).__name__}")
        unknown = sorted(set(version) - {"number", "name", "adds", "section"})
        if unknown:
            raise _fail(where, f"unknown key {unknown[0]!r} (known: number, name, adds, section)")
        if version.get("number") != position + 1:
            raise _fail(where, f"expected number {position + 1} (versions count from 1, in "
                               f"order), received {version.get('number')!r}")
        name = version.get("name")
        if (name is None) != (position == 0) or (name is not None and not _NAME.match(name)):
            raise _fail(where, "every version but 1 has a CamelCase name (version 1 none)")
        for key in ("adds", "section"):
            if not isinstance(version.get(key), str) or not version[key]:
                raise _fail(where, f"expected a text {key!r}")
        checked.append(dict(version, name=name))
    return checked


def _check_entry(group: str, position: int, entry: Any, table: Dict[str, Any],
                 newest: int) -> Dict[str, Any]:
    cells, (fits, fits_words) = _GROUPS[group]
    label = f"{group}[{position}]"
    if not isinstance(entry, dict):
        raise _fail(label, f"expected an object, received {type(entry).__name__}")
    where = f"{label} ({entry.get('name', '?')})"
    unknown = sorted(set(entry) - set(_ENTRY_KEYS) - set(cells))
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r} (known: "
                           f"{', '.join(_ENTRY_KEYS + cells)})")
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not fits(number, table):
        raise _fail(where, f"expected number to be {fits_words}, received {number!r}")
    if not isinstance(entry.get("name"), str) or not _NAME.match(entry["name"]):
        raise _fail(where, f"expected a CamelCase name, received {entry.get('name')!r}")
    since = entry.get("since")
    if since is not None and (not isinstance(since, int) or not 1 <= since <= newest):
        raise _fail(where, f"expected since to be a version, 1..{newest}, or absent; "
                           f"received {since!r}")
    listed = entry.get("table")
    needed = _ALWAYS.get(group, ())
    if listed is not None:
        if _TABLES.get(listed, ("",))[0] != group:
            known = sorted(name for name, (owner, _) in _TABLES.items() if owner == group)
            raise _fail(where, f"unknown table {listed!r} for {group} (known: "
                               f"{', '.join(known) or 'none'})")
        needed = _TABLES[listed][1]
    for cell in needed:
        if cell not in entry:
            raise _fail(where, f"the row of its docs table needs {cell!r}")
    normalized = {key: entry.get(key) for key in _ENTRY_KEYS + cells}
    return normalized


def _check_unique(group: str, entries: Sequence[Dict[str, Any]],
                  keys: Sequence[str] = ("number", "name")) -> None:
    # Constants are sizes: two may be equal (an extent and ext 79's head are both 8 bytes).
    for key in keys:
        seen: Dict[Any, int] = {}
        for position, entry in enumerate(entries):
            value = entry[key]
            if value in seen:
                raise _fail(f"{group}[{position}] ({entry['name']})",
                            f"{key} {value!r} is {group}[{seen[value]}]'s too")
            seen[value] = position


def check(raw: Any) -> Dict[str, Any]:
    """The table, checked and with every optional key present (None when absent)."""
    if not isinstance(raw, dict):
        raise _fail("the file", "expected a JSON object")
    expected = {"$comment", "versions", "request_word", *_GROUPS}
    for key in sorted(expected - set(raw) - {"$comment"}):
        raise _fail("the file", f"no {key!r}")
    for key in sorted(set(raw) - expected):
        raise _fail("the file", f"unknown key {key!r} (known: {', '.join(sorted(expected))})")
    word = raw["request_word"]
    if not isinstance(word, dict) or set(word) != {"command_bits"} or \
            not isinstance(word["command_bits"], int) or not 1 <= word["command_bits"] <= 63:
        raise _fail("request_word", "expected {\"command_bits\": 1..63}")
    table: Dict[str, Any] = {"versions": _check_versions(raw["versions"]), "request_word": word}
    newest = len(table["versions"])
    for group in _GROUPS:
        entries = raw[group]
        if not isinstance(entries, list) or not entries:
            raise _fail(group, "expected a list of entries")
        table[group] = [_check_entry(group, position, entry, table, newest)
                        for position, entry in enumerate(entries)]
        _check_unique(group, table[group], ("name",) if group == "constants" else ("number", "name"))
        numbers = [entry["number"] for entry in table[group]]
        if numbers != sorted(numbers):
            raise _fail(group, "list the entries by number, smallest first")
    return table


def load(path: Path) -> Dict[str, Any]:
    """The table at `path`, checked (TableError says what is wrong and where)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TableError(f"{path}: not JSON: {error}") from None
    return check(raw)


def _context(table: Dict[str, Any]) -> Dict[str, Any]:
    def listed(group: str, name: str) -> List[Dict[str, Any]]:
        return [entry for entry in table[group] if entry["table"] == name]

    def added_in(group: str, version: int) -> List[Dict[str, Any]]:
        return [entry for entry in table[group] if entry["since"] == version]

    return {"t": table, "newest": table["versions"][-1]["number"], "listed": listed,
            "added_in": added_in, "source": TABLE}


def render(table: Dict[str, Any], templates: Optional[Path] = None) -> Dict[str, str]:
    """Each output's rendering: a whole file's text, or a spliced file's blocks (their
    template's whole text), keyed by repository path."""
    jinja = environment(templates or templates_dir())
    jinja.filters["upper_snake"] = upper_snake
    jinja.filters["ranges"] = number_ranges
    context = _context(table)
    return {path: jinja.get_template(template).render(**context)
            for path, template in {**WHOLE_FILES, **SPLICED_FILES}.items()}


def _blocks(text: str, where: str) -> Dict[str, Tuple[int, int]]:
    """The marked blocks of `text`: name -> (first line, line after the END line)."""
    lines = text.splitlines(keepends=True)
    blocks: Dict[str, Tuple[int, int]] = {}
    open_name: Optional[str] = None
    start = 0
    for number, line in enumerate(lines):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if open_name is not None:
                raise TableError(f"{where}:{number + 1}: block {begin.group(1)!r} begins "
                                 f"inside block {open_name!r}")
            open_name, start = begin.group(1), number
            if open_name in blocks:
                raise TableError(f"{where}:{number + 1}: block {open_name!r} twice")
        elif end:
            if open_name is None or end.group(1) != open_name:
                raise TableError(f"{where}:{number + 1}: END of {end.group(1)!r} where "
                                 f"{'block ' + repr(open_name) if open_name else 'no block'} "
                                 f"is open")
            blocks[open_name] = (start, number + 1)
            open_name = None
    if open_name is not None:
        raise TableError(f"{where}:{start + 1}: block {open_name!r} has no "
                         f"'END rendered: {open_name}' line")
    return blocks


def splice(text: str, rendered: str, where: str) -> str:
    """`text` with each marked block replaced by the same-named block of `rendered`. Each
    block `rendered` has must be marked in `text` once, and no other."""
    new = _blocks(rendered, f"the template of {where}")
    old = _blocks(text, where)
    missing = sorted(set(new) - set(old))
    if missing:
        raise TableError(f"{where}: no block {missing[0]!r} (mark where it goes with the "
                         f"template's BEGIN and END lines)")
    extra = sorted(set(old) - set(new))
    if extra:
        raise TableError(f"{where}: block {extra[0]!r} is rendered by no template")
    new_lines = rendered.splitlines(keepends=True)
    lines = text.splitlines(keepends=True)
    for name, (start, stop) in sorted(old.items(), key=lambda item: -item[1][0]):
        first, after = new[name]
        lines[start:stop] = new_lines[first:after]
    return "".join(lines)


def render_repository(repository: Path, templates: Optional[Path] = None) -> Dict[str, str]:
    """Every output's text as it should be, by repository path (the spliced files read
    from `repository`)."""
    rendered = render(load(repository / TABLE), templates or repository / "templates")
    files = {path: rendered[path] for path in WHOLE_FILES}
    for path in SPLICED_FILES:
        current = (repository / path).read_text(encoding="utf-8")
        files[path] = splice(current, rendered[path], path)
    return files


def stale_files(repository: Path, files: Dict[str, str]) -> List[str]:
    """The outputs of `files` whose text in `repository` differs (or is missing)."""
    stale = []
    for path, text in files.items():
        target = repository / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale
