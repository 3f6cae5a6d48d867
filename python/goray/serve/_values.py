"""Values between HTTP and goray's calls: a request's JSON (or raw array bytes) as a
call's arguments, a result as JSON. No Serve, no Ray: plain functions the HTTP layer
(_http) calls, tested on their own."""

from __future__ import annotations

import base64
import datetime
import enum
import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = ["RequestError", "DTYPES", "JSON", "RAW", "declares_json", "call_arguments", "raw_array",
           "query_arguments", "to_json", "json_bytes"]


class RequestError(Exception):
    """A request goray cannot turn into a call: ``status`` is the HTTP status to answer
    with (400, 404, 405, 413, 415), ``message`` says what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
    type: goray does not read that type."""
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
    if isinstance(value, dict):
        return [], value
    if isinstance(value, list):
        return value, {}
    raise RequestError(400, f"{where}: the request body must be a JSON object (the "
                            f"parameters by name) or array (by position), not "
                            f"{type(value).__name__}")


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


def query_arguments(query: Sequence[Tuple[str, str]]) -> Dict[str, Any]:
    """A query string's parameters, each value JSON where it parses (5, true, [1,2],
    "text"), else the text itself."""
    arguments: Dict[str, Any] = {}
    for name, text in query:
        try:
            arguments[name] = json.loads(text)
        except json.JSONDecodeError:
            arguments[name] = text
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


def json_bytes(value: Any) -> bytes:
    """`value` (after to_json) as compact UTF-8 JSON."""
    return json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=True).encode("utf-8")
