"""The package's names and attributes a page of the docs uses, and whether the Python
reference (the site's objects.inv) has each: test_docs_site.py checks that the reference
covers what the guide, the remote-call pages and types.md use (issue 59 §10).

A page uses, for a package `goray`:

- a dotted name, `goray.NativeError` or `goray.NativeCrash.frames`;
- attributes listed after a name, as in "`goray.NativeError` (`.type`, `.message`)", or in
  a table row whose first cell is the name, in parentheses that open with them ("|
  `goray.ArgumentError` | the arguments do not fit (`.position`, `.expected`) |");
- the attributes of an error caught by name in a code block: `except goray.NativeError as
  e:` then `e.type`;
- an attribute of what a function returns: `goray.golang_task("Square").options(...)`
  is `options` of golang_task's return type, `NativeTask`.

A use resolves to the names the reference may list it under: `goray.X.attr`, and the
defining module's `module.Class.attr` for each class in the MRO (the reference shows an
object where it is defined: goray.ItemStream under goray._ray.py2native.value_streams). A
name with a part starting with `_` is not the public API and is not checked; an attribute
that a class answers through `__getattr__` (a LocalActor's C++ methods) is the
application's, not the package's."""
from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Set, Tuple

CALL = "()"  # a path part: what the function before it returns
FILE_SUFFIXES = {"h", "hpp", "cpp", "cc", "py", "pyi", "so", "md", "json", "txt", "cmake"}


@dataclass(frozen=True)
class Use:
    page: str
    line: int
    path: Tuple[str, ...]  # below the package: ("NativeError", "type"), ("golang_task", CALL, "options")

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {'.'.join(self.path).replace('.' + CALL, CALL)}"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _closing(text: str, start: int) -> int:
    """The offset after the parenthesis that closes the one at `start` (-1: none)."""
    depth = 0
    for at in range(start, len(text)):
        if text[at] == "(":
            depth += 1
        elif text[at] == ")":
            depth -= 1
            if depth == 0:
                return at + 1
    return -1


def _dotted_and_calls(text: str, page: str, package: str) -> Iterable[Use]:
    name = re.compile(rf"(?<![\w/.]){re.escape(package)}((?:\.[A-Za-z_]\w*)+)")
    attribute = re.compile(r"\.([A-Za-z_]\w*)")
    for match in name.finditer(text):
        path = list(match.group(1)[1:].split("."))
        if path[-1] in FILE_SUFFIXES:
            continue  # a file's name: goray.h
        yield Use(page, _line(text, match.start()), tuple(path))
        at = match.end()
        # goray.f(...).attr(...).more: each attribute after a call
        while at < len(text) and text[at] == "(":
            end = _closing(text, at)
            if end < 0:
                break
            after = attribute.match(text, end)
            if not after:
                break
            path += [CALL, after.group(1)]
            yield Use(page, _line(text, match.start()), tuple(path))
            at = after.end()


_LISTED_ATTRIBUTE = re.compile(r"`\.([A-Za-z_]\w*)(?:\([^`]*\))?`")


def _listed_attributes(text: str, page: str, package: str) -> Iterable[Use]:
    flat = text.replace("\n", " ")  # (offsets kept: a list may run over lines)
    listed = re.compile(rf"`{re.escape(package)}\.(\w+)`\s*\(((?:[^()]|\([^()]*\))*)\)")
    for match in listed.finditer(flat):
        for attribute in _LISTED_ATTRIBUTE.finditer(match.group(2)):
            yield Use(page, _line(text, match.start()), (match.group(1), attribute.group(1)))
    row = re.compile(rf"^\|\s*`{re.escape(package)}\.(\w+)`\s*\|(.*)$", re.M)
    # (a row's other code spans may be another object's: `.remote()` of a task)
    run = re.compile(r"\(((?:`\.\w+(?:\([^`]*\))?`[,;]?\s*)+)")
    for match in row.finditer(text):
        for group in run.finditer(match.group(2)):
            for attribute in _LISTED_ATTRIBUTE.finditer(group.group(1)):
                yield Use(page, _line(text, match.start()), (match.group(1), attribute.group(1)))


def _caught_errors(text: str, page: str, package: str) -> Iterable[Use]:
    blocks = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
    caught = re.compile(rf"except\s+{re.escape(package)}\.(\w+)\s+as\s+(\w+)\s*:")
    for block in blocks.finditer(text):
        body, base = block.group(1), block.start(1)
        for clause in caught.finditer(body):
            error, variable = clause.group(1), clause.group(2)
            for use in re.finditer(rf"(?<![\w.]){variable}\.([A-Za-z_]\w*)", body[clause.end():]):
                yield Use(page, _line(text, base + clause.end() + use.start()),
                          (error, use.group(1)))


def find_uses(text: str, page: str, package: str = "goray") -> List[Use]:
    """Every use of `package`'s names in a page's text, first by line, once each."""
    found: dict = {}
    for finder in (_dotted_and_calls, _listed_attributes, _caught_errors):
        for use in finder(text, page, package):
            found.setdefault(use.path, use)
    return sorted(found.values(), key=lambda use: (use.line, use.path))


# ---- resolving a use against the package ------------------------------------------------

def _qualified(obj: Any) -> Optional[str]:
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{name}" if module and name else None


def _returned(function: Any) -> Any:
    """The class a function's return annotation names, or None."""
    try:
        hint = typing.get_type_hints(function).get("return")
    except Exception:  # noqa: BLE001 - a name only a type checker sees
        return None
    hint = typing.get_origin(hint) or hint
    return hint if inspect.isclass(hint) else None


def _declared(cls: type, attribute: str) -> bool:
    """Whether the class (or a base) has the attribute itself, or declares it annotated."""
    return any(attribute in vars(base) or attribute in getattr(base, "__annotations__", {})
               for base in cls.__mro__)


def names_for(path: Tuple[str, ...], package: types.ModuleType
              ) -> Tuple[str, List[str]]:
    """("check", the names the reference may list the use under), or ("skip", why)."""
    if any(part.startswith("_") for part in path if part != CALL):
        return "skip", "not public"
    obj: Any = package
    names = [package.__name__]
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if part == CALL:
            obj = _returned(obj)
            if obj is None:
                return "skip", "returns no class a type hint names"
            names = [name for name in [_qualified(obj)] if name]
            continue
        if inspect.ismodule(obj):
            child = getattr(obj, part, None)
            if child is None:
                try:
                    child = importlib.import_module(f"{obj.__name__}.{part}")
                except ImportError:
                    return "check", [f"{obj.__name__}.{part}"]  # (missing: reported)
            names = [f"{obj.__name__}.{part}"]
            qualified = None if inspect.ismodule(child) else _qualified(child)
            if qualified and qualified not in names:
                names.append(qualified)
            if inspect.ismodule(child):
                names = [child.__name__]
            obj = child
        elif inspect.isclass(obj):
            if not _declared(obj, part) and hasattr(obj, "__getattr__"):
                return "skip", f"{obj.__name__} answers it through __getattr__"
            names = [f"{name}.{part}" for name in names]
            names += [f"{_qualified(base)}.{part}" for base in obj.__mro__
                      if base is not object and _qualified(base)]
            names = list(dict.fromkeys(names))
            child = inspect.getattr_static(obj, part, None)
            obj = child if inspect.isclass(child) or inspect.isfunction(child) else None
            if obj is None and not last:
                return "skip", "an attribute of an attribute"
        else:
            return "skip", "not a module or class"
    return "check", names


def documented(name: str, inventory: Set[str]) -> bool:
    """In the inventory, as itself or (a module) as the parent of something there."""
    return name in inventory or any(entry.startswith(name + ".") for entry in inventory)


def missing(uses: Iterable[Use], package: types.ModuleType, inventory: Set[str]) -> List[str]:
    """The uses whose names the reference lacks, as "page:line: name (looked for ...)"."""
    lacking = []
    for use in uses:
        verdict, names = names_for(use.path, package)
        if verdict == "check" and not any(documented(name, inventory) for name in names):
            lacking.append(f"{use} (none of {', '.join(names)})")
    return lacking
