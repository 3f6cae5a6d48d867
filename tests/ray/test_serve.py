"""goray.serve: a C++ actor type (examples/serving's Scorer) as a Ray Serve deployment
on the session's Ray: handles, HTTP, batching, streaming, Serve's hooks, faults. The tests
marked ray_versions run on the oldest supported Ray too (its Serve differs: the status of a
replica that fails to start, how a replica rejects requests, what a handle's error says).
C++ callers' handles (goray::serve::Handle) run goray.serve._from_cpp."""
import concurrent.futures
import http.client
import inspect
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

serve = pytest.importorskip("ray.serve", reason="Ray Serve is not installed (goray-cpp[serve])")

import goray  # noqa: E402
import goray.serve  # noqa: E402
from conftest import ROOT  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from doc_samples import assert_sample  # noqa: E402
from loopback_ports import free_port  # noqa: E402

SCORING = ROOT / "build" / "examples" / "serving"
LIBRARY = str(SCORING / "libscoring.so")
SERVING_EXAMPLE = ROOT / "examples" / "serving"  # app.py
#: Replicas take no CPU of the session's four: the other tests' actors may hold them.
NO_CPU = {"num_cpus": 0}

# goray-gen's module of libscoring.so, imported before the session's goray.init (which runs
# after collection): that Ray's workers, Serve's replicas too, import it by name
# (test_python_and_cpp_deployments_compose).
sys.path.insert(0, str(SCORING))
import scoring  # noqa: E402


@pytest.fixture(scope="module")
def port(lib):
    if not os.path.isfile(LIBRARY):
        pytest.fail(f"{LIBRARY} is not built: run bash scripts/run-tests.sh")
    chosen = free_port()
    serve.start(proxy_location="EveryNode", http_options={"host": "127.0.0.1", "port": chosen})
    yield chosen
    serve.shutdown()


@pytest.fixture(scope="module")
def shared(port):
    """One Scorer application for the tests that need no options of their own:
    weights 0.5 and 2.0, no bias, HTTP bodies up to 4096 bytes."""
    handle = serve.run(scorer(max_body_bytes=4096).bind([0.5, 2.0]), name="shared",
                       route_prefix="/shared")
    yield handle
    serve.delete("shared")


def scorer(**options):
    options.setdefault("ray_actor_options", NO_CPU)
    return goray.serve.deployment("Scorer", library=LIBRARY, **options)


def _lower(headers):
    return {name.lower(): value for name, value in headers.items()}


def post(port, path, body=b"", headers=None, timeout=60, with_headers=False):
    """(status, body) of a POST, and its headers with `with_headers`."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST",
                                     headers=headers or {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.status, response.read(), _lower(response.headers)
    except urllib.error.HTTPError as error:
        answer = error.code, error.read(), _lower(error.headers)
    return answer if with_headers else answer[:2]


def replica_pids(app):
    """The pids of app's live Scorer replicas, from Ray's actor table (the GCS's: no
    dashboard needed)."""
    import ray
    name = f"ServeReplica:{app}:Scorer"
    return sorted(actor["Pid"] for actor in ray._private.state.actors().values()
                  if actor["ActorClassName"] == name and actor["State"] == "ALIVE")


@pytest.mark.ray_versions  # (the ray-oldest stage: Ray 2.40's Serve)
def test_handle_calls_run_the_cpp_object_inside_the_replica(shared):
    assert shared.Score.remote([1.0, 1.0]).result() == 2.5
    assert shared.Score.remote(features=[2.0, 0.0]).result() == 1.0  # keyword arguments
    # In-process: the C++ object's pid is the replica's own (no second actor behind it).
    assert [shared.Pid.remote().result()] == replica_pids("shared")
    # A C++ exception: goray's NativeError (and Ray's error), its text the C++ type and
    # message first, then where it ran.
    with pytest.raises(goray.NativeError) as thrown:
        shared.Divide.remote(1, 0).result()
    assert (thrown.value.type, thrown.value.message) == ("std::domain_error", "division by zero")
    text = str(thrown.value)
    assert text.startswith("std::domain_error: division by zero (task Scorer.Divide)\n\n"), text
    assert "ServeReplica:shared:Scorer" in text.split("\n\n", 1)[1], text


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_user_config_reaches_reconfigure(port):
    app = scorer(user_config={"bias": 1.0, "label": "v1"}).bind([0.5, 2.0])
    handle = serve.run(app, name="config", route_prefix="/config")
    assert handle.Label.remote().result() == "v1"
    assert handle.Score.remote([1.0, 1.0]).result() == 3.5
    app = scorer(user_config={"bias": -1.0, "label": "v2"}).bind([0.5, 2.0])
    handle = serve.run(app, name="config", route_prefix="/config")
    assert handle.Label.remote().result() == "v2"
    assert handle.Score.remote([1.0, 1.0]).result() == 1.5
    serve.delete("config")


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
@pytest.mark.ray_versions  # (the ray-oldest stage: Ray 2.40's Serve)
def test_a_reconfigure_that_throws_says_why_in_serve_status(port):
    # Scorer.Reconfigure throws std::invalid_argument for a config without a label.
    retries = ({"max_constructor_retry_count": 1}  # (Ray 2.40 has no such option: 3 tries)
               if "max_constructor_retry_count" in inspect.signature(serve.deployment).parameters
               else {})
    app = scorer(user_config={"bias": 1.0, "label": ""}, **retries).bind([0.5, 2.0])
    with pytest.raises(RuntimeError, match="Deploying application badconfig failed"):
        serve.run(app, name="badconfig", route_prefix="/badconfig")
    status = serve.status().applications["badconfig"]
    message = status.deployments["Scorer"].message
    assert str(status.status).endswith("DEPLOY_FAILED"), status
    assert message.rstrip().endswith("goray.errors.NativeError: std::invalid_argument: ScorerConfig."
                                     "label is empty (task Scorer.Reconfigure)"), message
    serve.delete("badconfig")


def test_a_batched_method_gets_the_gathered_requests_in_one_native_call(port):
    batch = goray.serve.Batch(max_batch_size=8, batch_wait_timeout_s=0.5)
    handle = serve.run(scorer(batch={"ScoreMany": batch}, max_ongoing_requests=32).bind([1.0, 10.0]),
                       name="batch", route_prefix="/batch")
    responses = [handle.ScoreMany.remote([float(i), 1.0]) for i in range(16)]
    assert [response.result() for response in responses] == [10.0 + i for i in range(16)]
    sizes = handle.BatchSizes.remote().result()
    assert sum(sizes) == 16 and max(sizes) <= 8 and max(sizes) > 1, sizes
    assert post(port, "/batch/ScoreMany", {"rows": [2.0, 1.0]}) == (200, b"12.0")
    status, body = post(port, "/batch/ScoreMany", {"rows": [2.0, 1.0], "extra": 1})
    assert status == 400 and b"extra" in body
    serve.delete("batch")


def test_a_streaming_method_streams_through_handles_and_http(port, shared):
    items = list(shared.options(stream=True).Explain.remote([1.0, 2.0]))
    assert items == ["feature 0: 0.500000", "feature 1: 4.000000", "bias: 0.000000"]
    status, body = post(port, "/shared/Explain", {"features": [1.0, 2.0]})
    assert status == 200 and [json.loads(line) for line in body.splitlines()] == items
    status, body = post(port, "/shared/Explain", {"features": [1.0, 2.0]},
                        {"Content-Type": "application/json", "Accept": "text/event-stream"})
    assert status == 200 and body.decode() == "".join(f"data: {json.dumps(item)}\n\n"
                                                      for item in items)
    status, body = post(port, "/shared/Explain", {"features": [1.0]})  # thrown before its first item
    assert status == 500 and json.loads(body)["type"] == "std::invalid_argument"
    status, body = post(port, "/shared/Explain", {"features": [1.0, 2.0], "delay_ms": "x"})
    assert status == 400 and json.loads(body)["error"] == "ArgumentError"


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_a_client_that_goes_away_cancels_the_cpp_generator(port):
    # Eight features 1.5 s apart: left alone, the stream runs 12 s. The Scorer is not
    # thread-safe, so a handle call waits for the generator step in flight (the replica
    # reads one step ahead of the client) and answers between two steps.
    handle = serve.run(scorer().bind([1.0] * 8), name="cancel", route_prefix="/cancel")
    try:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/cancel/Explain",
                           body=json.dumps({"features": [1.0] * 8, "delay_ms": 1500}),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.readline()) == "feature 0: 1.000000"
        assert handle.Streaming.remote().result() == 1
        connection.close()
        # The frame goes at the generator's next co_yield, seconds before the stream's end.
        while handle.Streaming.remote().result() != 0:
            assert time.monotonic() - started < 10.5, "the C++ generator outlived its client"
            time.sleep(0.2)
    finally:
        serve.delete("cancel")


@pytest.mark.ray_versions  # (the ray-oldest stage: Ray 2.40's Serve)
def test_bad_requests_answer_4xx_or_500_and_the_replica_keeps_serving(port, shared):
    handle = shared
    pid = handle.Pid.remote().result()

    def answer(path, body=b"", headers=None):
        status, text = post(port, "/shared/" + path, body, headers)
        return status, json.loads(text)

    status, body = answer("Score", b"{not json")
    assert status == 400 and "not JSON" in body["message"]
    status, body = answer("Score", {"features": "two"})
    assert status == 400 and body["error"] == "ArgumentError"
    assert (body["position"], body["expected"], body["received"]) == (0, "std::vector<double>", "str")
    assert "Scorer.Score" in body["message"]
    status, body = answer("Score", {})
    assert status == 400 and "missing field 'features'" in body["message"]
    status, body = answer("Score", {"features": [1.0, 2.0], "scale": 2})
    assert status == 400 and "scale" in body["message"]
    status, body = answer("Score", b'"a string"')
    assert status == 400 and "JSON object" in body["message"]
    status, body = answer("Nope", {})
    assert status == 404 and "Score" in body["message"] and "'Nope'" in body["message"]
    status, body = answer("Score", b"x" * 5000)
    assert status == 413 and "4096" in body["message"]
    status, body = answer("Score", b"<x/>", {"Content-Type": "application/xml"})
    assert status == 415 and "'application/xml', is not JSON" in body["message"]
    # JSON is read whatever the body's declared type (curl -d's form type, text/plain, none);
    # a form's own body is not JSON: 415.
    for declared in ("application/x-www-form-urlencoded", "text/plain; charset=utf-8"):
        assert post(port, "/shared/Score", b'{"features": [1, 1]}', {"Content-Type": declared}) == \
            (200, b"2.5"), declared
    status, body = answer("Score", b"features=1&features=1",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415 and "is not JSON" in body["message"]
    untyped = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for data, expected in ((b'{"features": [2, 1]}', (200, b"3.0")), (b"features=1", (400, None))):
        untyped.putrequest("POST", "/shared/Score")
        untyped.putheader("Content-Length", str(len(data)))
        untyped.endheaders(data)
        response = untyped.getresponse()
        got = response.status, response.read()
        assert got[0] == expected[0] and (expected[1] is None or got[1] == expected[1]), got
    untyped.close()
    status, body = answer("Divide", {"a": 1, "b": 0})
    assert status == 500 and (body["type"], body["message"]) == ("std::domain_error", "division by zero")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/shared/", timeout=60) as listing:
        methods = json.loads(listing.read())["methods"]
    assert methods["Score"] == {"parameters": ["features"], "streams": False}
    assert methods["Explain"]["streams"] is True
    request = urllib.request.Request(f"http://127.0.0.1:{port}/shared/Score", method="GET")
    with pytest.raises(urllib.error.HTTPError, match="405"):
        urllib.request.urlopen(request, timeout=60)
    assert post(port, "/shared/Score", {"features": [1.0, 1.0]}) == (200, b"2.5")
    assert handle.Pid.remote().result() == pid


def test_a_struct_argument_without_a_field_or_with_another_answers_400_naming_it(port, shared):
    """A struct's missing field is not its C++ default: HTTP and handles refuse it, naming
    the field, the struct, the method and the argument's position; a std::optional field
    may be left out."""
    def answer(body):
        status, text = post(port, "/shared/ScoreSample", body)
        return status, json.loads(text)

    assert answer({"sample": {"features": [1.0, 1.0]}}) == (200, 2.5)
    assert answer({"sample": {"features": [1.0, 1.0], "bias": 1.0}}) == (200, 3.5)
    status, body = answer({"sample": {"bias": 1.0}})
    assert status == 400 and body["error"] == "ArgumentError"
    assert (body["position"], body["expected"], body["received"]) == (
        0, "Sample", "map without field .features (std::vector<double>, in Sample)")
    assert body["parameter"] == "sample"  # the JSON object's field the struct came in
    assert (body["path"], body["struct"], body["field"]) == (".features", "Sample", "sample.features")
    assert body["message"] == ("position 0: expected Sample, received map without field "
                               ".features (std::vector<double>, in Sample) (task "
                               "Scorer.ScoreSample)")
    status, body = answer({"sample": {"features": [1.0, 1.0], "weight": 2}})
    assert status == 400 and body["received"] == "map with unknown field .weight (not in Sample)"
    assert body["field"] == "sample.weight"
    status, body = answer({"sample": {"features": None}})
    assert status == 400 and body["received"] == (
        "map (at .features: expected std::vector<double>, received nil)")
    with pytest.raises(goray.ArgumentError) as info:
        shared.ScoreSample.remote({"bias": 1.0}).result()
    assert (info.value.task, info.value.position, info.value.expected) == (
        "Scorer.ScoreSample", 0, "Sample")
    assert "without field .features (std::vector<double>, in Sample)" in str(info.value)
    assert (info.value.path, info.value.struct) == (".features", "Sample")
    assert shared.Score.remote([1.0, 1.0]).result() == 2.5  # the replica goes on serving


def test_an_array_arrives_as_raw_bytes_with_its_dtype(port, shared):
    import numpy
    raw = {"Content-Type": "application/octet-stream", "X-Goray-Dtype": "float64"}
    assert post(port, "/shared/Score", numpy.array([1.0, 2.0]).tobytes(), raw) == (200, b"4.5")
    status, body = post(port, "/shared/Score", b"\0" * 12, raw)
    assert status == 400 and b"whole number of float64" in body
    status, body = post(port, "/shared/Score", b"\0" * 16, {"Content-Type": "application/octet-stream"})
    assert status == 400 and b"X-Goray-Dtype" in body


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_a_failing_health_check_has_serve_replace_the_replica(port):
    handle = serve.run(scorer(health_check_period_s=0.5, health_check_timeout_s=10).bind([1.0, 1.0]),
                       name="health", route_prefix="/health")
    pid = handle.Pid.remote().result()
    handle.MarkUnhealthy.remote().result()
    deadline = time.monotonic() + 60
    while True:
        try:
            if handle.Pid.remote().result(timeout_s=10) != pid:
                break
        except Exception:  # noqa: BLE001 - the old replica going away
            pass
        assert time.monotonic() < deadline, "Serve kept the unhealthy replica"
        time.sleep(0.5)
    serve.delete("health")


def wait_for_a_new_replica(handle, pid):
    """The pid of the replica Serve started in place of the one with `pid` (a new replica
    took over a minute on two cores shared with another lane's Rays)."""
    deadline = time.monotonic() + 180
    while True:
        try:
            now = handle.Pid.remote().result(timeout_s=10)
            if now != pid:
                return now
        except Exception:  # noqa: BLE001 - the replica being replaced
            pass
        assert time.monotonic() < deadline, "Serve did not restart the crashed replica"
        time.sleep(0.5)


@pytest.mark.ray_versions  # (the ray-oldest stage: Ray 2.40's Serve)
def test_a_native_crash_answers_500_naming_it_and_serve_restarts_the_replica(port):
    handle = serve.run(scorer().bind([1.0, 1.0]), name="crash", route_prefix="/crash")
    pid = handle.Pid.remote().result()
    started = time.monotonic()
    score = ("/crash/Score", {"features": [1.0, 2.0]})
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        crashed = pool.submit(post, port, "/crash/Crash", {})
        # Calls the crash did not cause: sent while it happens, the replica may have
        # accepted them before it (then a JSON 503 with Retry-After, as Serve cannot send
        # them again); sent once its answer is out, in the replica's last half second, the
        # replica rejects them and Serve's router holds them for the new replica.
        during = []
        for _ in range(3):
            time.sleep(0.05)
            during.append(pool.submit(post, port, *score, timeout=180, with_headers=True))
        status, body = crashed.result()
        assert time.monotonic() - started < 30  # never a hang
        after = [pool.submit(post, port, *score, timeout=180, with_headers=True) for _ in range(3)]
        during = [answer.result() for answer in during]
        after = [answer.result() for answer in after]
    assert status == 500, body
    answer = json.loads(body)
    assert answer["error"] == "NativeCrash" and answer["signal"] == "SIGSEGV", answer
    assert answer["message"].startswith("native crash: SIGSEGV (segmentation fault)"), answer
    assert f"in method Scorer.Crash, pid {pid}" in answer["message"], answer
    for other_status, other_body, headers in during:
        if other_status == 503:
            refused = json.loads(other_body)
            assert refused["error"] == "ReplicaCrashed" and headers.get("retry-after") == "1", \
                (refused, headers)
        else:
            assert (other_status, other_body) == (200, b"3.0"), (other_status, other_body, headers)
    assert [answer[:2] for answer in after] == [(200, b"3.0")] * 3, after
    pid = wait_for_a_new_replica(handle, pid)
    assert post(port, "/crash/Score", {"features": [1.0, 2.0]}) == (200, b"3.0")

    # Through a handle: goray.NativeCrash, with the report's frames.
    with pytest.raises(goray.NativeCrash) as crash:
        handle.Crash.remote().result(timeout_s=30)
    assert crash.value.signal == "SIGSEGV" and "in method Scorer.Crash" in crash.value.report
    assert any("Crash" in frame for frame in crash.value.frames), crash.value.report
    wait_for_a_new_replica(handle, pid)
    assert handle.Score.remote([2.0, 2.0]).result() == 4.0
    serve.delete("crash")


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_graceful_shutdown_runs_the_cpp_destructor(port, tmp_path):
    closed = tmp_path / "closed"
    options = {**NO_CPU, "runtime_env": {"env_vars": {"SCORING_CLOSED_FILE": str(closed)}}}
    handle = serve.run(scorer(ray_actor_options=options).bind([1.0, 1.0]), name="bye",
                       route_prefix="/bye")
    assert handle.Score.remote([1.0, 1.0]).result() == 2.0
    serve.delete("bye")
    assert closed.read_text() == "closed 1\n"


def test_python_and_cpp_deployments_compose(port):
    from fastapi import FastAPI

    api = FastAPI()

    @serve.deployment(ray_actor_options=NO_CPU)
    @serve.ingress(api)
    class Ingress:
        def __init__(self, model):
            # The generated module, imported in the replica by name: the session's
            # goray.init put its folder on the workers' path.
            self.model = goray.serve.handle(scoring.Scorer, model)
            self.module_file = scoring.__file__

        @api.get("/module")
        async def module(self) -> str:
            return self.module_file

        @api.get("/double/{x}")
        async def double(self, x: float) -> dict:
            score = await self.model.Score.remote([x, 0.0])
            return {"x": x, "score": score, "doubled": 2 * score}

    handle = serve.run(Ingress.bind(scorer().bind([1.5, 0.0])), name="composed",
                       route_prefix="/composed")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/composed/double/2", timeout=60) as answer:
        assert json.loads(answer.read()) == {"x": 2.0, "score": 3.0, "doubled": 6.0}
    assert handle.double.remote(4.0).result() == {"x": 4.0, "score": 6.0, "doubled": 12.0}
    assert handle.module.remote().result() == scoring.__file__
    serve.delete("composed")


def test_what_deployment_refuses(port):
    with pytest.raises(goray.GorayError, match="takes a C\\+\\+ actor type"):
        goray.serve.deployment(object())
    with pytest.raises(goray.GorayError, match="batch\\['ScoreMany'\\] is a int"):
        goray.serve.deployment("Scorer", library=LIBRARY, batch={"ScoreMany": 3})
    with pytest.raises(goray.GorayError, match="max_batch_size must be an int of 1 or more"):
        goray.serve.Batch(max_batch_size=0)
    with pytest.raises(goray.GorayError, match="max_body_bytes must be a positive int"):
        goray.serve.deployment("Scorer", library=LIBRARY, max_body_bytes=0)


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_a_replica_of_an_unknown_type_fails_to_start_with_its_reason(port):
    with pytest.raises(RuntimeError, match="Deploying application nobody failed"):
        serve.run(goray.serve.deployment("Nobody", library=LIBRARY, ray_actor_options=NO_CPU,
                                         max_constructor_retry_count=1).bind(),
                  name="nobody", route_prefix="/nobody")
    message = serve.status().applications["nobody"].deployments["Nobody"].message
    assert "actor type 'Nobody' not found; known actor types: Gateway, Scorer" in message
    serve.delete("nobody")


def test_importing_goray_does_not_import_serve():
    script = "import sys, goray; print('ray.serve' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_a_cpp_ingress_composes_cpp_and_python_deployments(port):
    @serve.deployment(ray_actor_options=NO_CPU)
    class Describer:
        def Describe(self, score):
            return f"score {score:.2f}"

    model = serve.run(scorer().bind([1.0] * 4), name="cppmodel", route_prefix="/cppmodel")
    serve.run(Describer.bind(), name="pywords", route_prefix="/pywords")
    gateway = goray.serve.deployment("Gateway", library=LIBRARY, ray_actor_options=NO_CPU)
    handle = serve.run(gateway.bind("cppmodel", "pywords"), name="cppgate", route_prefix="/cppgate")
    row = [1.0, 2.0, 0.0, 0.0]
    assert handle.Quote.remote(row).result() == "score 3.00"  # C++ -> C++, then Python
    assert post(port, "/cppgate/Quote", {"features": row}) == (200, b'"score 3.00"')
    # A failure on the far side reaches the C++ caller as an exception, and its caller so.
    status, body = post(port, "/cppgate/Quote", {"features": [1.0]})
    assert status == 500 and "expected 4 features, received 1" in json.loads(body)["message"]

    # A stream read from C++ (the typed client's Explain: a goray::serve::Stream).
    assert handle.Explanation.remote(row).result() == (
        "feature 0: 1.000000\nfeature 1: 2.000000\nfeature 2: 0.000000\nfeature 3: 0.000000\n"
        "bias: 0.000000\n")
    # A stream C++ drops after its first item is cancelled: the Scorer's generator stops
    # at its next co_yield, 1.5 s later (an item's delay), not after all items (4.5 s).
    assert handle.FirstLine.remote(row, 1500).result() == "feature 0: 1.000000"
    deadline = time.monotonic() + 3.0
    while model.Streaming.remote().result() != 0:
        assert time.monotonic() < deadline, "the dropped stream's C++ generator ran on"
        time.sleep(0.1)
    for app in ("cppgate", "pywords", "cppmodel"):
        serve.delete(app)



# Tier 2: Serve's replica life cycle and its CLI; handles, HTTP, batching and a crashed replica run
# in tier 1
@pytest.mark.tier2
def test_serve_run_deploys_a_modules_cpp_application(port, tmp_path):
    # docs/serve.md "Deploying": `serve run module:app` from a shell, on the running Ray,
    # the library and the modules named by the environment, as a user would.
    import ray
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
           "GORAY_BIN_PATH": LIBRARY, "PYTHONPATH": f"{SCORING}:{SERVING_EXAMPLE}"}
    runtime_env = {"env_vars": {"PYTHONPATH": env["PYTHONPATH"]}}
    serve_cli = os.path.join(os.path.dirname(sys.executable), "serve")
    ran = subprocess.run([serve_cli, "run", "--non-blocking", "-a", ray.get_runtime_context().gcs_address,
                          "--name", "model", "--route-prefix", "/model",
                          "--runtime-env-json", json.dumps(runtime_env), "app:model"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-3000:]
    try:
        assert post(port, "/model/Score", {"features": [1.0, 2.0, 3.0]}) == (200, b"1.75")
        status, body = post(port, "/model/Divide", {"a": 1, "b": 0})
        assert status == 500 and json.loads(body)["type"] == "std::domain_error"
        run_serve_md_curl(port, tmp_path)
    finally:
        serve.delete("model")


def run_serve_md_curl(port, tmp_path):
    """docs/serve.md's curl example, run as written against this app (examples/serving's
    model at /model); curl's own configuration file (a home of its own) takes its
    127.0.0.1:8000 to the session's Serve port. Its output is the page's."""
    text = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    [(command, output)] = re.findall(r"^\$ (curl .*)\n(.*)\n```", text, re.M)
    home = tmp_path / "curl-home"
    home.mkdir()
    (home / ".curlrc").write_text(f"connect-to = 127.0.0.1:8000:127.0.0.1:{port}\n")
    done = subprocess.run(["bash", "-c", command],
                          env={**os.environ, "HOME": str(home), "CURL_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == output, (command, done.stdout, output)
    assert_sample("docs/serve.md", "1.75", done.stdout)  # (tests/docs/test_docs_samples.py's rule)
