"""C++ behind Ray Serve: deploys app.py's two applications on a local Ray (127.0.0.1)
and checks their answers over HTTP, as curl would send them.

Usage: python main.py path/to/libscoring.so path/to/generated/module/folder
"""
import json
import os
import socket
import sys
import urllib.error
import urllib.request


#: Serve's default HTTP port, where docs/serve.md's curl example sends its request.
PORT = 8000


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def post(url: str, body: bytes, headers: dict) -> tuple:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main(library: str, module_folder: str) -> int:
    sys.path.insert(0, module_folder)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import goray
    from ray import serve
    if port_in_use(PORT):
        print(f"port {PORT} (Serve's default HTTP port) is in use here: stop what holds it "
              "(another Serve?) and run this again", file=sys.stderr)
        return 2
    goray.init(library, num_cpus=2)
    import app  # after goray.init: its deployments name the library goray.init loaded

    # Serve's HTTP options belong to the cluster: given once, before the first application
    # (serve.run then starts no other). The proxies where serve.run puts them (every node:
    # here, the one) and Serve's default port; the host is 127.0.0.1, which Ray 2.60 would
    # otherwise replace by every interface.
    serve.start(proxy_location="EveryNode", http_options={"host": "127.0.0.1"})
    serve.run(app.model, name="model", route_prefix="/model")
    serve.run(app.pricing, name="pricing", route_prefix="/pricing")
    serve.run(app.words, name="words", route_prefix="/words")
    serve.run(app.gateway, name="gateway", route_prefix="/gateway")
    base = f"http://127.0.0.1:{PORT}"
    # What `curl -d BODY URL` sends: the body as a form's type (goray reads it as JSON).
    as_curl = {"Content-Type": "application/x-www-form-urlencoded"}

    # (request, the answer expected); each is what `curl -d BODY URL` sends
    checks = [
        (("/model/Score", {"features": [1, 2, 3]}), (200, "1.75")),
        (("/model/ScoreMany", {"rows": [2, 0, 0]}), (200, "1.25")),
        (("/pricing", {"rows": [[1, 2, 3], [2, 0, 0], [0, 0, 1]]}),
         (200, {"scores": [1.75, 1.25, -0.75], "label": "linear-v1"})),
        (("/model/Score", {"features": [1, 2]}),
         (500, {"error": "NativeError", "type": "std::invalid_argument",
                "message": "expected 3 features, received 2", "task": "Scorer.Score"})),
        (("/model/Score", {"features": "x"}), (400, "ArgumentError")),
        (("/model/Predict", {}), (404, "UnknownMethod")),
        (("/gateway/Quote", {"features": [1, 2, 3]}), (200, '"score 1.75: buy"')),
    ]
    failures = 0
    for (path, body), (status, expected) in checks:
        got_status, text = post(base + path, json.dumps(body).encode(), as_curl)
        if isinstance(expected, dict):
            good = got_status == status and json.loads(text) == expected
        elif status == 200:
            good = got_status == status and text == expected
        else:
            good = got_status == status and json.loads(text)["error"] == expected
        failures += not good
        print(f"POST {path} {json.dumps(body)} -> {got_status} {text}"
              + ("" if good else f"   (expected {status} {expected})"))

    # A streaming C++ method as Server-Sent Events.
    status, text = post(base + "/model/Explain", json.dumps({"features": [1, 2, 3]}).encode(),
                        {**as_curl, "Accept": "text/event-stream"})
    events = [json.loads(line[len("data: "):]) for line in text.splitlines() if line]
    good = status == 200 and events == ["feature 0: 0.500000", "feature 1: 4.000000",
                                         "feature 2: -3.000000", "bias: 0.250000"]
    failures += not good
    print(f"POST /model/Explain (text/event-stream) -> {status} {events}"
          + ("" if good else "   (expected 4 events)"))
    serve.shutdown()
    print("all answers as expected" if not failures else f"{failures} answers differ")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
