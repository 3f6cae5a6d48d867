"""goray.serve: a C++ actor type as a Ray Serve deployment (docs/serve.md).

    import goray.serve
    from ray import serve
    import scoring                      # goray-gen's module of the app

    Scorer = goray.serve.deployment(scoring.Scorer, num_replicas=2,
                                    batch={"ScoreMany": goray.serve.Batch(max_batch_size=32)})
    handle = serve.run(Scorer.bind(weights=[0.5, 2.0]))
    handle.Score.remote(1.5).result()   # and POST /Score {"x": 1.5} over HTTP

Each replica makes the C++ object in its own process and calls it there (goray's local
call path: no second actor hop). Every Serve option passes through to
serve.deployment; what the result is, serve.deployment's Deployment: .bind(),
.options(), serve.run, `serve run module:app` and `serve deploy` take it as any other.

Serve is optional: `import goray` never imports it, and this module says what to
install when Ray Serve is missing.

Its modules (private; the names above are its API): ``_deployment`` (deployment() and
handle()), ``_replica`` (the class a replica runs, Batch), ``_http`` (the default HTTP
mapping), ``_values`` (values between HTTP and calls) and ``_from_cpp`` (what C++
code's goray::serve::Handle runs).
"""
# Tests: tests/ray/test_serve.py, tests/python/test_serve_values.py,
# tests/ray/test_serve_http_fuzz.py, tests/renderers/test_gen_typecheck.py,
# tests/renderers/test_gen_user_typing.py, tests/renderers/test_gen_eigen.py

from ._deployment import DEFAULT_MAX_BODY_BYTES, ServeTyped, deployment, handle
from ._from_cpp import StreamingCall, call
from ._replica import Batch, NativeReplica

__all__ = ["deployment", "handle", "call", "StreamingCall", "Batch", "NativeReplica", "ServeTyped", "DEFAULT_MAX_BODY_BYTES"]
