"""Values between HTTP and goray's calls: a request's JSON (or raw array bytes) as a
call's arguments, a result as JSON. No Serve, no Ray: plain functions the HTTP layer
(_http) calls, tested on their own.

Tests: tests/python/test_serve_values.py
"""

from __future__ import annotations

import base64
import datetime
import enum
import json
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = ["RequestError", "DTYPES", "JSON", "RAW", "declares_json", "call_arguments", "raw_array",
           "query_arguments", "to_json", "json_bytes"]


class RequestError(Exception):
    """A request goray cannot turn into a call: ``status`` is the HTTP status to answer
    with (400, 404, 405, 413, 415), ``message`` says what was wrong. Where one argument
    is at fault: ``parameter`` (its name: a JSON object's field, a query parameter) or
    ``position`` (its index in a JSON array), and ``path``, where inside it ("[0]",
    ".lon"; "" for the whole argument), as goray's ArgumentError spells it."""

    def __init__(self, status: int, message: str, *, parameter: Optional[str] = None,
                 position: Optional[int] = None, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.position = position
        self.path = path


#: The media type of JSON, and its suffix (RFC 6839: application/problem+json and co).
JSON = "application/json"
JSON_SUFFIX = "+json"
#: The media type of a raw array body (read by raw_array).
RAW = "application/octet-stream"


def declares_json(content_type: str) -> bool:
    """Whether a request's media type (lower case, no parameters) says JSON; "" (no
    Content-Type) counts as JSON, goray's default."""
    return content_type in ("", JSON) or content_type.endswith(JSON_SUFFIX)


def call_arguments(body: bytes, where: str,
                   content_type: str = JSON) -> Tuple[List[Any], Dict[str, Any]]:
    """A JSON body as (args, kwargs): an object's fields are the parameters by name, an
    array's elements by position, an empty body no arguments.

    The body is read as JSON whatever its declared type (`content_type`, lower case
    without parameters): `curl -d` declares application/x-www-form-urlencoded, other
    clients text/plain or nothing. A body that is not JSON is refused with 400 when it
    was declared JSON (or not declared), and with 415 when it was declared another
    type: goray does not read that type. JSON nested past Python's recursion limit, and
    an integer of more digits than Python reads (sys.get_int_max_str_digits(): 4300),
    are the client's errors too: 400, naming the argument where it can."""
    if not body.strip():
        return [], {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        if declares_json(content_type):
            raise RequestError(400, f"{where}: the request body is not JSON ({error})") from None
        raise RequestError(415, f"{where}: the request body, of type {content_type!r}, is not "
                                f"JSON: goray reads the arguments as JSON (any declared type), "
                                f"or an array as {RAW} with X-Goray-Dtype") from None
    except RecursionError:
        raise _too_deep(where, "the request body") from None
    except ValueError as error:  # (an integer past Python's digits limit)
        raise _too_long(body, where, error, in_query=None) from None
    if isinstance(value, dict):
        return [], value
    if isinstance(value, list):
        return value, {}
    raise RequestError(400, f"{where}: the request body must be a JSON object (the "
                            f"parameters by name) or array (by position), not "
                            f"{type(value).__name__}")


def _too_deep(where: str, what: str, parameter: Optional[str] = None) -> RequestError:
    return RequestError(400, f"{where}: {what} nests JSON arrays and objects deeper than goray "
                             f"reads (fewer than {sys.getrecursionlimit()} levels: Python's "
                             f"recursion limit)", parameter=parameter)


class _LongInteger:
    """Where the second reading of a body puts an integer too long to read: its digits."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _too_long(text: Union[bytes, str], where: str, error: ValueError,
              in_query: Optional[str]) -> RequestError:
    """The 400 for JSON `text` whose reading failed with `error`, an integer of more
    digits than Python reads: read again with such integers marked, so that the answer
    names the argument holding the first one (the query parameter `in_query`, else the
    body's field or position) and where in it."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()

    def integer(digits: str) -> Any:
        count = len(digits.lstrip("-"))
        return _LongInteger(count) if limit and count > limit else int(digits)

    try:
        found = _first_long_integer(json.loads(text, parse_int=integer))
    except (ValueError, RecursionError):
        found = None
    if found is None:  # (another ValueError than the digits': not expected from json)
        return RequestError(400, f"{where}: the request is not JSON goray can read ({error})")
    key, path, digits = found
    parameter, position = (key, None) if isinstance(key, str) else (None, key)
    if in_query is not None:  # the value is the parameter's: its key is a step inside it
        if key is not None:
            path = (f".{key}" if isinstance(key, str) else f"[{key}]") + path
        parameter, position = in_query, None
        place = f"query parameter {in_query!r}"
    elif isinstance(key, str):
        place = f"field {key!r}"
    elif key is not None:
        place = f"argument {key} (the body's array)"
    else:
        place = "the request body"
    at = f" at {path}" if path else ""
    return RequestError(400, f"{where}: {place}{at} is an integer of {digits} digits, more "
                             f"than any C++ number takes (goray reads JSON integers of up to "
                             f"{limit} digits)", parameter=parameter, position=position, path=path)


def _first_long_integer(value: Any) -> Optional[Tuple[Union[str, int, None], str, int]]:
    """(the top-level key or index holding the first _LongInteger in `value`, the path
    inside it, its digits), or None. Iterative: the value may nest a thousand deep."""
    if isinstance(value, _LongInteger):
        return None, "", value.digits
    tops = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for top, item in tops:
        stack: List[Tuple[Any, str]] = [(item, "")]
        while stack:
            current, path = stack.pop()
            if isinstance(current, _LongInteger):
                return top, path, current.digits
            if isinstance(current, dict):
                stack.extend((inner, f"{path}.{name}") for name, inner in reversed(current.items()))
            elif isinstance(current, list):
                stack.extend((inner, f"{path}[{index}]") for index, inner
                             in reversed(list(enumerate(current))))
    return None


#: The dtypes a raw array body may declare (X-Goray-Dtype), NumPy's names.
DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32",
          "uint16", "uint8", "bool")


def raw_array(body: bytes, dtype: Optional[str], where: str) -> Any:
    """An application/octet-stream body as a 1-D NumPy array of the declared dtype."""
    if not dtype:
        raise RequestError(400, f"{where}: a raw array body (application/octet-stream) "
                                f"needs its dtype in the X-Goray-Dtype header, one of "
                                f"{', '.join(DTYPES)}")
    if dtype not in DTYPES:
        raise RequestError(400, f"{where}: unknown dtype {dtype!r} in X-Goray-Dtype; "
                                f"known: {', '.join(DTYPES)}")
    import numpy
    itemsize = numpy.dtype(dtype).itemsize
    if len(body) % itemsize:
        raise RequestError(400, f"{where}: {len(body)} bytes is not a whole number of "
                                f"{dtype} items ({itemsize} bytes each)")
    return numpy.frombuffer(body, dtype=dtype)


def query_arguments(query: Sequence[Tuple[str, str]], where: str = "") -> Dict[str, Any]:
    """A query string's parameters, each value JSON where it parses (5, true, [1,2],
    "text"), else the text itself. JSON nested too deeply, or an integer of more digits
    than Python reads, is a RequestError (400) naming the parameter."""
    arguments: Dict[str, Any] = {}
    for name, text in query:
        try:
            arguments[name] = json.loads(text)
        except json.JSONDecodeError:
            arguments[name] = text
        except RecursionError:
            raise _too_deep(where or "the request", f"query parameter {name!r}", name) from None
        except ValueError as error:  # (an integer past Python's digits limit)
            raise _too_long(text, where or "the request", error, in_query=name) from None
    return arguments


def to_json(value: Any) -> Any:
    """`value` as JSON's types: NumPy arrays and scalars as lists and numbers, bytes as
    base64 text, datetimes in ISO 8601, dict keys as text; non-finite floats stay
    (Python's json writes NaN and Infinity, as JavaScript reads them)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {_key(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    tolist = getattr(value, "tolist", None)  # NumPy arrays and scalars
    if tolist is not None:
        return to_json(tolist())
    raise TypeError(f"a result of type {type(value).__name__} has no JSON form")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):  # an enum member: its number
        return str(int(key))
    if isinstance(key, (bytes, bytearray)):
        return bytes(key).decode("utf-8", "backslashreplace")
    return json.dumps(to_json(key)) if not isinstance(key, (int, float)) else str(key)


#: Compact JSON, non-ASCII kept, NaN and Infinity written (made once: json.dumps with
#: options makes an encoder per call).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def json_bytes(value: Any) -> bytes:
    """`value` (after to_json) as compact UTF-8 JSON."""
    return _ENCODER.encode(to_json(value)).encode("utf-8")
