"""scripts/lanes.sh: two lanes sharing one queue of stages, as run-tests.sh runs CI. Fake
stages (sleeps that log their start and end) show what the lanes did: every stage once,
failures reported, the pairs kept apart, and the queue's order deciding what starts next."""

import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]

HARNESS = r"""
set -uo pipefail
ROOT="$1"; DIR="$2"; shift 2
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/lanes.sh"
APART=("$APART_PAIR")
PREFER_APART=("$PREFER_PAIR")
AFTER=(${AFTER_PAIR:+"$AFTER_PAIR"})
for stage in "$@"; do
  name="${stage%%:*}"; rest="${stage#*:}"; seconds="${rest%%:*}"; outcome="${rest#*:}"
  eval "stage_$name() { echo \"start $name \$(date +%s.%N)\" >> '$DIR/events';
    sleep $seconds; echo \"end $name \$(date +%s.%N)\" >> '$DIR/events'; [ $outcome = ok ]; }"
done
names=(); for stage in "$@"; do names+=("${stage%%:*}"); done
queue_init "$DIR/queue" "${names[@]}"
( failed=(); run_lane 1; printf '%s\n' "${failed[@]}" > "$DIR/failed-1" ) &
failed=(); run_lane 2; printf '%s\n' "${failed[@]}" > "$DIR/failed-2"
wait
"""


def run_lanes(tmp_path, stages, apart="x y", prefer_apart="x z", after=""):
    """Runs fake stages NAME:SECONDS:ok|fail; returns {name: (start, end)} and the failed."""
    subprocess.run(["bash", "-c", HARNESS, "harness", str(ROOT), str(tmp_path), *stages],
                   check=True, timeout=60, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "APART_PAIR": apart,
                        "PREFER_PAIR": prefer_apart, "AFTER_PAIR": after})
    spans = {}
    for line in (tmp_path / "events").read_text().splitlines():
        kind, name, when = line.split()
        spans.setdefault(name, [0.0, 0.0])[0 if kind == "start" else 1] = float(when)
    failed = set()
    for lane in ("failed-1", "failed-2"):
        failed |= {line for line in (tmp_path / lane).read_text().split() if line}
    return spans, failed


def overlap(first, second):
    return first[0] < second[1] and second[0] < first[1]


def test_every_stage_runs_once_and_failures_come_back_from_both_lanes(tmp_path):
    spans, failed = run_lanes(tmp_path, ["a:0.3:ok", "b:0.3:fail", "c:0.1:fail", "d:0.1:ok"])
    assert sorted(spans) == ["a", "b", "c", "d"]
    assert failed == {"b", "c"}
    events = (tmp_path / "events").read_text().split()
    assert events.count("start") == 4 and events.count("end") == 4


def test_the_lanes_stay_even_longest_first(tmp_path):
    # a is long: while one lane runs it, the other takes b, c and d in turn.
    spans, _ = run_lanes(tmp_path, ["a:1.2:ok", "b:0.3:ok", "c:0.3:ok", "d:0.3:ok"])
    assert all(overlap(spans["a"], spans[name]) for name in "bcd")
    total = max(end for _, end in spans.values()) - min(start for start, _ in spans.values())
    assert total < 1.2 + 0.6, spans  # serially 2.1 s


def test_an_apart_pair_never_runs_side_by_side(tmp_path):
    # x and y come first, but y waits for x (the other lane idles: nothing else is left).
    spans, _ = run_lanes(tmp_path, ["x:0.6:ok", "y:0.3:ok"], apart="x y")
    assert not overlap(spans["x"], spans["y"])
    assert spans["y"][0] >= spans["x"][1]


def test_a_stage_blocked_by_its_pair_lets_the_next_one_go_first(tmp_path):
    spans, _ = run_lanes(tmp_path, ["x:0.8:ok", "y:0.2:ok", "w:0.3:ok"], apart="y x")
    assert overlap(spans["x"], spans["w"])  # w overtook y
    assert not overlap(spans["x"], spans["y"])


def test_a_preferred_apart_pair_runs_side_by_side_only_when_nothing_else_is_left(tmp_path):
    spans, _ = run_lanes(tmp_path, ["x:1.0:ok", "z:0.2:ok", "w:0.3:ok"], apart="p q",
                         prefer_apart="z x")
    assert spans["w"][0] < spans["z"][0]  # w first, although z is ahead in the queue
    assert overlap(spans["x"], spans["z"])  # then z beside x: nothing else was left


def test_a_stage_after_another_starts_once_that_one_ended(tmp_path):
    # p comes first in the queue but uses what w builds: it waits, and the idle lane takes r.
    spans, _ = run_lanes(tmp_path, ["w:0.6:ok", "p:0.2:ok", "r:0.2:ok"], after="p w")
    assert spans["p"][0] >= spans["w"][1]
    assert overlap(spans["w"], spans["r"])


def test_a_stage_after_one_not_in_the_run_does_not_wait(tmp_path):
    spans, _ = run_lanes(tmp_path, ["p:0.2:ok", "r:0.2:ok"], after="p w")
    assert overlap(spans["p"], spans["r"])
