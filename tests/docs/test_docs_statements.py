"""Statements a user needs that must stay where a user looks for them: each test finds
the section (or the block) the statement belongs to and checks the statement is there,
not somewhere else in the file."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

from conftest import REPO


def section(file: str, heading: str) -> str:
    """The text of the section of `file` whose heading is `heading` (any level), up to the
    next heading of the same level or above, code blocks included."""
    lines = (REPO / file).read_text(encoding="utf-8").splitlines()
    start, level = None, 0
    in_code = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        match = None if in_code else re.match(r"(#{1,6})\s+(.*?)\s*$", line)
        if not match:
            continue
        if start is None:
            if match.group(2) == heading:
                start, level = number, len(match.group(1))
        elif len(match.group(1)) <= level:
            return "\n".join(lines[start:number])
    assert start is not None, f"{file} has no heading {heading!r}"
    return "\n".join(lines[start:])


def bullets(text: str) -> List[str]:
    """The top-level bullets of a section, each joined into one line."""
    items: List[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:])
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip():
            continue
        else:
            if items and not line.startswith(" "):
                items.append("")  # prose between bullets ends the previous one
    return [" ".join(item.split()) for item in items if item]


# ---- issue 39 §5.5: actors.md says which actor calls keep their order ----------------------

def test_threaded_actors_say_calls_may_run_out_of_order():
    text = section("docs/actors.md", "Threaded actors")
    order = [item for item in bullets(text) if item.startswith("**Order")]
    assert len(order) == 1, "actors.md's Threaded actors has no bullet on the calls' order"
    statement = order[0]
    # Threaded actors: one caller's calls may run out of order.
    assert re.search(r"`max_concurrency` > 1, calls from one caller may run out of order",
                     statement), statement
    # What Ray guarantees otherwise, and what it does not.
    for needle in ("single-threaded synchronous actor", "in the order it submitted them",
                   "concurrency groups", "async actor", "max_task_retries",
                   "allow_out_of_order_execution",
                   "https://docs.ray.io/en/latest/ray-core/actors/task-orders.html"):
        assert needle in statement, (needle, statement)
    # The submission queue's "Order is kept" no longer promises it for every actor.
    queue = section("docs/calls.md", "Batches and pipelined submissions")
    kept = [item for item in bullets(queue) if item.startswith("**Order is kept")]
    assert kept and "single-threaded actor" in kept[0] and "#threaded-actors" in kept[0], kept


# ---- issue 39 §5.7: cluster.md explains Ray's token warning where its steps make the token ----

RAY_TOKEN_NOTICE = ("Token authentication is enabled for this Ray cluster. "
                    "Set RAY_AUTH_MODE=disabled to opt out.")


def bullets_after_block(file: str, containing: str) -> List[str]:
    """The bullets right after the one ```sh block of `file` that contains `containing`
    (up to the first paragraph that is not a bullet)."""
    text = (REPO / file).read_text(encoding="utf-8")
    blocks = [m for m in re.finditer(r"(?ms)^```sh\n(.*?)^```\n", text) if containing in m.group(1)]
    assert len(blocks) == 1, f"{file}: {len(blocks)} sh blocks contain {containing!r}"
    after = text[blocks[0].end():].lstrip("\n")
    found: List[str] = []
    for paragraph in re.split(r"\n(?=- )|\n\s*\n", after):
        if not paragraph.startswith("- "):
            break
        found.append(" ".join(paragraph[2:].split()))
    return found


def test_ray_token_notice_matches_the_installed_rays():
    # The line the docs quote is the one this Ray prints (its source, not imported).
    import importlib.util
    spec = importlib.util.find_spec("ray")
    assert spec and spec.origin, "no Ray in this environment"
    source = (Path(spec.origin).parent / "_private" / "authentication" /
              "authentication_token_setup.py").read_text(encoding="utf-8")
    assert '"Token authentication is enabled for this Ray cluster. Set "' in source
    assert '=disabled to opt out.' in source


def test_cluster_md_explains_the_token_warning_next_to_the_step_that_makes_the_token():
    items = bullets_after_block("docs/cluster.md", "ray get-auth-token --generate")
    warning = [item for item in items if RAY_TOKEN_NOTICE in item]
    assert len(warning) == 1, ("the bullets after cluster.md's block that runs `ray "
                               "get-auth-token --generate` do not quote Ray's notice:\n"
                               + "\n".join(items))
    statement = warning[0]
    for needle in (
            "`~/.ray/auth_token`",                 # the file the block makes
            "`ray start` does so once",            # what the file turns on
            "`goray.init`",                        # goray's local starts print it too
            "To turn it off for local runs",       # and how to stop it
            "`RAY_AUTH_MODE=disabled`",
            "`RAY_AUTH_MODE=token` keeps the token",
            "other users share",                   # when to keep the token
    ):
        assert needle in statement, (needle, statement)
    # cli.md's table of variables points there.
    rows = [line for line in (REPO / "docs/cli.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `RAY_AUTH_MODE` |")]
    assert len(rows) == 1 and RAY_TOKEN_NOTICE in rows[0] and \
        "cluster.md#trying-it-on-one-machine" in rows[0], rows
