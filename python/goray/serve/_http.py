"""goray's default HTTP mapping of a C++ deployment (docs/serve.md, "HTTP"):

    POST <route prefix>/<Method>   JSON object (parameters by name) or array (by
                                   position), whatever its declared type (curl -d's
                                   form type too) -> the result as JSON
    POST ... application/octet-stream with X-Goray-Dtype: the body is a 1-D array, the
                                   method's first parameter; the others in the query
    GET  <route prefix>/           the methods and their parameters

A streaming method answers as it goes: Server-Sent Events when the client accepts
text/event-stream, else one JSON value per line (application/x-ndjson).

Errors answer with a JSON body {"error": kind, "message": text, ...}: a request goray
cannot read 400 (415 for a body declared another type that is not JSON, 413 past the
size limit), a bad argument (goray's ArgumentError) 400, an unknown method 404, another
verb than POST 405, a C++ exception 500 with its type and message; a native crash 500
with the crash report's first lines (the replica then ends and Serve replaces it; calls
it had accepted meanwhile 503 with Retry-After, later ones go to other replicas).
Otherwise the replica keeps serving.

Tests: tests/python/test_serve_values.py
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

from ..errors import ArgumentError, GorayError, NativeCrash, NativeError, UnknownNameError
from ._values import JSON, RAW, RequestError, call_arguments, json_bytes, query_arguments, raw_array

#: The replica object (_replica.NativeReplica, which imports this module: not named here).
Replica = Any

__all__ = ["respond", "method_name", "error_body"]

NDJSON = "application/x-ndjson"
EVENTS = "text/event-stream"

#: Seconds an HTTP client is told to wait (Retry-After) before sending again a call a
#: crashed replica refused (503): by then Serve's router sends it to a live replica.
RETRY_AFTER_S = 1


def method_name(path: str, root_path: str) -> str:
    """The method a request's path names: what follows the route prefix ("" for the
    prefix itself)."""
    if root_path and path.startswith(root_path):
        path = path[len(root_path):]
    return path.strip("/")


def error_body(error: BaseException, type_name: str) -> Tuple[int, Dict[str, Any]]:
    """The status and JSON body for an error a call raised."""
    if isinstance(error, RequestError):
        body: Dict[str, Any] = {"error": "BadRequest", "message": error.message}
        body.update({key: value for key in ("parameter", "position", "path")
                     if (value := getattr(error, key)) not in (None, "")})
        return error.status, body
    if isinstance(error, ArgumentError):
        body = {"error": "ArgumentError", "message": str(error)}
        if error.position is not None:
            body["position"] = error.position
        body.update(expected=error.expected, received=error.received)
        body.update({key: value for key in ("path", "struct")
                     if (value := getattr(error, key, ""))})
        return 400, body
    if isinstance(error, UnknownNameError):
        return 404, {"error": "UnknownName", "message": str(error)}
    if isinstance(error, NativeError):
        return 500, {"error": "NativeError", "type": error.type, "message": error.message,
                     "task": error.task}
    if isinstance(error, NativeCrash):
        return 500, {"error": "NativeCrash", "signal": error.signal,
                     "message": crash_summary(error.report)}
    if type(error).__name__ == "ReplicaCrashed":  # (_replica's: that module imports this one)
        return 503, {"error": "ReplicaCrashed", "message": str(error)}
    if isinstance(error, GorayError):
        return 500, {"error": type(error).__name__, "message": str(error)}
    return 500, {"error": type(error).__name__,
                 "message": f"{type_name}: {type(error).__name__}: {error}"}


def crash_summary(report: str) -> str:
    """A crash report's first two lines as one ("native crash: SIGSEGV (...) at address
    0x0; in method Scorer.Crash, pid 12, thread 12"); the backtrace stays in the replica's
    log."""
    lines = [line.strip().removeprefix("goray: ") for line in report.strip().splitlines()[:2]]
    return "; ".join(line for line in lines if line) or "a native crash"


def _response(status: int, body: Any, media_type: str = JSON,
              headers: Optional[Dict[str, str]] = None) -> Any:
    from starlette.responses import Response
    return Response(content=json_bytes(body) if media_type == JSON else body,
                    status_code=status, media_type=media_type, headers=headers)


def _error_response(error: BaseException, type_name: str,
                    parameter: Optional[str] = None) -> Any:
    """The JSON answer to a call that raised `error`; a 503 says when to send it again.
    `parameter` names the argument an ArgumentError's position points at."""
    status, body = error_body(error, type_name)
    if parameter is not None:
        body["parameter"] = parameter
        if body.get("path"):  # the field as the client's JSON object spells it: "p.lon"
            body["field"] = parameter + body["path"]
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return _response(status, body, headers=headers)


async def _body(request: Any, limit: int, where: str) -> bytes:
    """The request's body, refused past `limit` bytes (before reading it all when the
    client says its length)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"{where}: the request body of {int(declared)} bytes is over "
                                f"the limit of {limit} (goray.serve.deployment's max_body_bytes)")
    if declared is not None:  # (within the limit: read at once)
        return bytes(await request.body())
    chunks: List[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"{where}: the request body is over the limit of {limit} "
                                    "bytes (goray.serve.deployment's max_body_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


async def _arguments(request: Any, limit: int, where: str) -> Tuple[List[Any], Dict[str, Any]]:
    body = await _body(request, limit, where)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == RAW:
        array = raw_array(body, request.headers.get("x-goray-dtype"), where)
        return [array], query_arguments(list(request.query_params.multi_items()), where)
    args, kwargs = call_arguments(body, where, content_type)  # JSON, whatever the type says
    if request.scope.get("query_string"):  # (parsed only when there is one)
        kwargs = {**query_arguments(list(request.query_params.multi_items()), where), **kwargs}
    return args, kwargs


def _check_fields(replica: Replica, name: str, args: List[Any],
                  kwargs: Dict[str, Any], where: str) -> None:
    """A JSON object's fields against the method's parameters: the missing ones named
    (the call itself would only count them)."""
    if args:
        return
    from .. import _traits
    params = _traits.method_params(replica._library, replica.type_name, name)
    missing = [param.name for param in params or () if param.name not in kwargs
               and not param.has_default]
    if missing:
        fields = ", ".join(repr(field) for field in missing)
        signature = ", ".join(param.shown() for param in params or ())
        raise RequestError(400, f"{where}: missing field{'s' if len(missing) > 1 else ''} "
                                f"{fields} (its parameters: {signature})")


def _index(replica: Replica) -> Dict[str, Any]:
    """GET /: what the deployment answers to."""
    from .. import _traits
    traits = _traits.actor_traits(replica._library, replica.type_name)
    methods = {}
    for name in sorted(replica._methods):
        params = traits.method_params.get(name) or ()
        methods[name] = {"parameters": [param.name for param in params],
                         "streams": name in replica._streams}
    return {"type": replica.type_name, "methods": methods}


async def respond(replica: Replica, request: Any) -> Any:
    """The response to one HTTP request of a C++ deployment."""
    type_name = replica.type_name
    name = method_name(request.url.path, request.scope.get("root_path", ""))
    where = f"{type_name}.{name}" if name else type_name
    try:
        if not name:
            if request.method not in ("GET", "HEAD"):
                raise RequestError(405, f"{type_name}: {request.method} of the deployment's "
                                        "root: GET it for the methods, POST /<Method> to call one")
            return _response(200, _index(replica))
        if "/" in name or not replica._method_known(name):
            known = ", ".join(sorted(replica._methods)) or "(none)"
            return _response(404, {"error": "UnknownMethod",
                                   "message": f"{type_name} has no method {name!r}; its "
                                              f"methods: {known}"})
        if request.method != "POST":
            raise RequestError(405, f"{where}: {request.method} of a method: call it with POST")
        args, kwargs = await _arguments(request, replica._spec.max_body_bytes, where)
        _check_fields(replica, name, args, kwargs, where)
        if name in replica._streams:
            return await _stream(replica, request, name, args, kwargs)
        method = getattr(replica, name, None)
        if method is not None and asyncio.iscoroutinefunction(method):
            result = await method(*args, **kwargs)  # (a plain method's is _call_async's)
        else:  # (a C++ method the replica's own attribute hides: reconfigure, ...)
            result = await replica._call_async(name, tuple(args), kwargs)
        try:
            content = json_bytes(result)
        except (TypeError, ValueError) as error:
            raise GorayError(f"{where}: its result has no JSON form ({error})") from None
        from starlette.responses import Response
        return Response(content=content, media_type=JSON)
    except Exception as error:  # every failure answers; the replica goes on serving
        parameter = _parameter_name(replica, name, error)
        return _error_response(error, type_name, parameter)


def _parameter_name(replica: Replica, name: str, error: BaseException) -> Optional[str]:
    """The parameter an error names (a RequestError's own), or the one at an
    ArgumentError's (or RequestError's) position by name (the JSON object's field the
    client sent), when the library names them."""
    if isinstance(error, RequestError) and error.parameter is not None:
        return error.parameter
    if not name or not isinstance(error, (ArgumentError, RequestError)) or error.position is None:
        return None
    from .. import _traits
    params = _traits.method_params(replica._library, replica.type_name, name)
    return params[error.position].name if params and error.position < len(params) else None


async def _stream(replica: Replica, request: Any, name: str, args: List[Any],
                  kwargs: Dict[str, Any]) -> Any:
    from starlette.responses import StreamingResponse
    stream = await asyncio.to_thread(replica._start_stream, name, tuple(args), kwargs)
    items = replica._items(stream)
    try:  # the first item before the status: a generator that throws at once answers 4xx/500
        first = [await items.__anext__()]
    except StopAsyncIteration:
        first = []
    except BaseException:
        await _close(items)
        raise
    events = EVENTS in request.headers.get("accept", "")
    return StreamingResponse(_chunks(items, first, events, replica.type_name),
                             media_type=EVENTS if events else NDJSON)


async def _chained(first: List[Any], items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    for item in first:
        yield item
    if first:
        async for item in items:
            yield item


async def _chunks(items: Any, first: List[Any], events: bool,
                  type_name: str) -> AsyncIterator[bytes]:
    """A stream's items as SSE events or JSON lines; an error after the first item ends
    the body with an error event (line) saying what failed."""
    try:
        async for item in _chained(first, items):
            data = json_bytes(item)
            yield b"data: " + data + b"\n\n" if events else data + b"\n"
    except Exception as error:  # the status went out with the first chunk
        _, body = error_body(error, type_name)
        data = json_bytes(body)
        yield b"event: error\ndata: " + data + b"\n\n" if events else data + b"\n"
    finally:
        await _close(items)


async def _close(items: Any) -> Optional[Any]:
    try:
        return await items.aclose()
    except RuntimeError:  # already closing (a cancellation in flight)
        return None
