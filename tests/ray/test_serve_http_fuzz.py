"""goray.serve's HTTP mapping against bad requests: JSON nested too deeply and integers
of more digits than Python reads are the client's 400s naming where they are, and a bad
element of a batched method fails only its own caller (its batch's other callers get
their results). Then a seeded fuzz: requests of each kind, good and bad, sent at once
to one Scorer deployment, each answered as it should be, and the replica never restarts.
The inputs are this file's own (examples/serving's Scorer, weights of this file's)."""
import concurrent.futures
import json
import random
import sys

import pytest

serve = pytest.importorskip("ray.serve", reason="Ray Serve is not installed (goray-cpp[serve])")

import goray  # noqa: E402
import goray.serve  # noqa: E402
from test_serve import post, port, scorer  # noqa: E402,F401 (port: the module's Serve)

# Tier 2 (bash scripts/run-tests.sh --all): seeded fuzzing of Serve's HTTP answers; test_serve.py's
# bad requests run in tier 1
pytestmark = pytest.mark.tier2

#: The Scorer's weights here: three features, exact sums for small integer features.
WEIGHTS = [0.5, -1.0, 2.0]
#: More digits than Python reads in an integer (its limit; this many on Pythons without one).
DIGITS_LIMIT = getattr(sys, "get_int_max_str_digits", lambda: 0)()
#: Deeper than Python's JSON reader goes (its recursion limit, 1,000 levels).
TOO_DEEP = 3 * sys.getrecursionlimit()


def score(features):
    total = 0.0
    for weight, feature in zip(WEIGHTS, features):
        total += weight * feature
    return total


@pytest.fixture(scope="module")
def fuzzed(port):
    """A Scorer whose ScoreMany is batched: four at most, gathered for up to 2 s (four
    requests sent at once make one batch)."""
    batch = goray.serve.Batch(max_batch_size=4, batch_wait_timeout_s=2.0)
    handle = serve.run(scorer(batch={"ScoreMany": batch}, max_ongoing_requests=64).bind(WEIGHTS),
                       name="fuzz", route_prefix="/fuzz")
    yield handle
    serve.delete("fuzz")


def answer(port, path, body=b""):
    status, text = post(port, "/fuzz/" + path, body)
    return status, json.loads(text)


def test_json_nested_too_deeply_answers_400_saying_so(port, fuzzed):
    deep = "[" * TOO_DEEP + "]" * TOO_DEEP
    status, body = answer(port, "Score", deep.encode())
    assert status == 400 and body["error"] == "BadRequest", body
    assert body["message"].startswith("Scorer.Score: the request body nests JSON arrays and "
                                      "objects deeper than goray reads"), body
    status, body = answer(port, "Divide?b=1&a=" + "%5B" * TOO_DEEP + "%5D" * TOO_DEEP)
    assert status == 400 and body["parameter"] == "a", body
    assert "query parameter 'a' nests JSON arrays and objects deeper" in body["message"], body
    # Shallower nesting is read, and refused by the parameter's type as ever.
    status, body = answer(port, "Score", ('{"features": ' + "[" * 200 + "]" * 200 + "}").encode())
    assert status == 400 and body["error"] == "ArgumentError" and body["parameter"] == "features"


@pytest.mark.skipif(not DIGITS_LIMIT, reason="this Python reads integers of any length")
def test_an_integer_past_pythons_digits_answers_400_naming_the_parameter(port, fuzzed):
    long = "-" + "3" * (DIGITS_LIMIT + 1)
    status, body = answer(port, "Score", f'{{"features": [0, 1, {long}]}}'.encode())
    assert status == 400 and body["error"] == "BadRequest", body
    assert (body["parameter"], body["path"], body["field"]) == ("features", "[2]", "features[2]")
    assert body["message"] == (f"Scorer.Score: field 'features' at [2] is an integer of "
                               f"{DIGITS_LIMIT + 1} digits, more than any C++ number takes "
                               f"(goray reads JSON integers of up to {DIGITS_LIMIT} digits)")
    status, body = answer(port, "Score", f"[[{long}, 0, 0]]".encode())  # by position
    assert status == 400 and (body["position"], body["parameter"]) == (0, "features"), body
    status, body = answer(port, "Divide?b=2&a=" + "8" * (DIGITS_LIMIT + 700))
    assert status == 400 and body["parameter"] == "a", body
    assert "query parameter 'a' is an integer of" in body["message"], body
    assert answer(port, "Divide?a=3&b=2") == (200, 1.5)


@pytest.mark.parametrize("bad, status, says, batches", [
    # Elements C++ cannot take: the batch fails in decoding, before the C++ method runs;
    # then each element runs alone (the bad one fails in decoding again).
    ({"rows": "x"}, 400, "position 0: expected std::vector<double>, received str, as one "
                         "element of the batch (task Scorer.ScoreMany)", [1, 1, 1]),
    ({"rows": [7, "y", 1]}, 400, "expected double, received str (at [1])", [1, 1, 1]),
    # A C++ exception: the batch ran (and threw), then each element alone.
    ({"rows": []}, 500, "expected 3 features, received 0", [4, 1, 1, 1, 1]),
])
def test_a_bad_element_of_a_batch_fails_only_its_own_caller(port, fuzzed, bad, status, says,
                                                            batches):
    """Sent at once, four requests gather into one batch; the bad one gets its own
    error, the good ones their scores."""
    rows = [[2, 0, 1], [0, 4, 4], [6, 6, 6]]
    bodies = [bad] + [{"rows": row} for row in rows]
    before = len(fuzzed.BatchSizes.remote().result())
    with concurrent.futures.ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(lambda body: post(port, "/fuzz/ScoreMany", body), bodies))
    (bad_status, bad_body), good = answers[0], answers[1:]
    assert good == [(200, json.dumps(score(row)).encode()) for row in rows], answers
    error = json.loads(bad_body)
    assert bad_status == status and says in error["message"], error
    if status == 400:
        assert error["parameter"] == "rows", error
    # The batches C++ was called with: a batch failing in decoding never reached it.
    assert fuzzed.BatchSizes.remote().result()[before:] == batches
    # Through a handle alike: its own error for the bad element, results for the others.
    responses = [fuzzed.ScoreMany.remote(body["rows"]) for body in bodies]
    with pytest.raises(goray.GorayError, match=r"expected|received"):
        responses[0].result()
    assert [response.result() for response in responses[1:]] == [score(row) for row in rows]


class Case:
    """One request of the fuzz: its path and body, and what must answer it: a status and
    either the result or the error's kind (and the parameter it names, if any)."""

    def __init__(self, path, body, status, result=None, kind=None, parameter=None):
        self.path, self.body = path, body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status, self.result, self.kind, self.parameter = status, result, kind, parameter

    def __repr__(self):
        return f"POST {self.path} {self.body[:60]!r}"


def cases(seed, count):
    """`count` requests drawn with `seed`, of every kind below, good and bad."""
    chance = random.Random(seed)

    def features(length=3):
        return [chance.randint(-9, 9) for _ in range(length)]

    def nested(depth):
        return "[" * depth + "]" * depth

    def long_integer():
        return chance.choice(["", "-"]) + str(chance.randint(1, 9)) * (DIGITS_LIMIT + chance.randint(1, 900))

    def make():
        kind = chance.randrange(14)
        if kind == 0:
            row = features()
            return Case("Score", {"features": row}, 200, result=score(row))
        if kind in (1, 2):  # batched, good: most of the batches' elements
            row = features()
            return Case("ScoreMany", {"rows": row}, 200, result=score(row))
        if kind == 3:
            a, b = chance.randint(-50, 50), chance.choice([-3, -2, 1, 2, 4, 8])
            return Case("Divide", [a, b], 200, result=a / b)
        if kind == 4:
            return Case("Score", nested(chance.randint(TOO_DEEP // 3 + 100, TOO_DEEP)).encode(),
                        400, kind="BadRequest")
        if kind == 5:
            depth = chance.randint(2, TOO_DEEP)
            return Case(chance.choice(["Score", "ScoreMany"]),
                        f'{{"{chance.choice(["features", "rows"])}": {nested(depth)}}}'.encode(),
                        400)  # too deep (BadRequest) or an array of arrays (ArgumentError)
        if kind == 6:
            return Case(f"Divide?b=1&a={nested(chance.randint(TOO_DEEP // 3 + 100, TOO_DEEP))}",
                        b"", 400, kind="BadRequest", parameter="a")
        if kind == 7 and DIGITS_LIMIT:
            row = features()
            row[chance.randrange(3)] = "LONG"
            method, field = chance.choice([("Score", "features"), ("ScoreMany", "rows")])
            body = json.dumps({field: row}).replace('"LONG"', long_integer()).encode()
            return Case(method, body, 400, kind="BadRequest", parameter=field)
        if kind == 8 and DIGITS_LIMIT:
            return Case(f"Divide?b=3&a={long_integer()}", b"", 400, kind="BadRequest", parameter="a")
        if kind == 9:
            element = chance.choice(["x", {"k": 1}, [1, "two", 3], True, None, [[1], 2, 3]])
            method, field = chance.choice([("Score", "features"), ("ScoreMany", "rows")])
            return Case(method, {field: element}, 400, kind="ArgumentError", parameter=field)
        if kind == 10:  # a C++ exception: in a batch, this element's alone
            method, field = chance.choice([("Score", "features"), ("ScoreMany", "rows")])
            return Case(method, {field: features(chance.choice([0, 1, 2, 4]))}, 500,
                        kind="NativeError")
        if kind == 11:
            text = json.dumps({"rows": features()})
            return Case("ScoreMany", text[:chance.randint(1, len(text) - 1)].encode(), 400,
                        kind="BadRequest")
        if kind == 12:
            return Case("ScoreMany", b'{"rows": "\xff' + bytes([chance.randint(0x80, 0xbf)]) + b'"}',
                        400, kind="BadRequest")
        return Case(chance.choice(["Nope", "score", "_native"]), {}, 404)

    drawn = []
    while len(drawn) < count:
        case = make()
        if case is not None:
            drawn.append(case)
    return drawn


def check(port, case):
    """Sends `case`; what was wrong with its answer, or None."""
    status, text = post(port, "/fuzz/" + case.path, case.body)
    try:
        body = json.loads(text)
    except ValueError:
        return f"{case!r}: answered {status} with a body that is not JSON: {text[:200]!r}"
    if status != case.status:
        return f"{case!r}: answered {status}, not {case.status}: {body}"
    if status == 200:
        return None if body == case.result else f"{case!r}: answered {body}, not {case.result}"
    if not isinstance(body, dict) or not {"error", "message"} <= set(body):
        return f"{case!r}: an error answered without its kind and message: {body}"
    if case.kind is not None and body["error"] != case.kind:
        return f"{case!r}: answered {body['error']}, not {case.kind}: {body}"
    if case.parameter is not None and body.get("parameter") != case.parameter:
        return f"{case!r}: the answer names {body.get('parameter')!r}, not {case.parameter!r}: {body}"
    return None


@pytest.mark.parametrize("seed", [59, 2026])
def test_a_seeded_fuzz_of_requests_each_answered_as_it_should_be(port, fuzzed, seed):
    pid = fuzzed.Pid.remote().result()
    drawn = cases(seed, 240)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:  # at once: batches mix good and bad
        wrong = [problem for problem in pool.map(lambda case: check(port, case), drawn) if problem]
    assert not wrong, f"{len(wrong)} of {len(drawn)} answered wrong, first ones:\n" + "\n".join(wrong[:5])
    assert max(fuzzed.BatchSizes.remote().result()) > 1  # (the batched requests were batched)
    assert fuzzed.Pid.remote().result() == pid  # no restart
    assert answer(port, "Score", {"features": [2, 2, 2]}) == (200, score([2, 2, 2]))
