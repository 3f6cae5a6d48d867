"""goray.shutdown() (issue 59 §12): ray.shutdown(), typed, and never a reason to import
Ray. Each case runs in a child process, whose `ray` is either absent or a stand-in module
written here, so no Ray starts; that it type-checks under pyright strict on the oldest and
the newest Ray is tests/renderers/test_gen_user_typing.py's (its programs end with it)."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def run_child(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def test_without_ray_it_does_nothing_and_imports_no_ray():
    out = run_child("""
        import sys
        import goray
        goray.shutdown()
        goray.shutdown()
        print("ray" in sys.modules)
    """)
    assert out == "False"


def test_it_calls_the_ray_shutdown_in_place_once_with_no_arguments():
    # A stand-in `ray` whose shutdown records its calls; then the same after replacing
    # ray.shutdown, as goray's set-up does (cancellation.stream_cancels.install): the one
    # called is whatever ray.shutdown is at the time of the call.
    out = run_child("""
        import sys, types
        calls = []
        ray = types.ModuleType("ray")
        ray.shutdown = lambda *args, **kwargs: calls.append(("ray's", args, kwargs))
        sys.modules["ray"] = ray
        import goray
        goray.shutdown()
        ray.shutdown = lambda *args, **kwargs: calls.append(("wrapped", args, kwargs))
        goray.shutdown()
        print(calls)
    """)
    assert out == "[(\"ray's\", (), {}), ('wrapped', (), {})]"


def test_it_is_public_and_typed():
    out = run_child("""
        import typing, goray
        print("shutdown" in goray.__all__, typing.get_type_hints(goray.shutdown))
    """)
    assert out == "True {'return': <class 'NoneType'>}"
