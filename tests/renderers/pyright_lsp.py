"""Asking pyright's language server what an IDE's completion would offer.

`completions(work, text, line, column, env)` starts `pyright-langserver --stdio` (the
pinned one scripts/setup.sh installs in .tools/pyright/) with `work` as the workspace,
opens `text` as the file work/complete_here.py and returns the labels of the completion
items at (line, column), both from 0, as an editor asks for them after a `.`. The server
is stopped before returning. What it runs on: the JSON-RPC messages of the Language
Server Protocol over stdin/stdout, each after a Content-Length header.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import time
from typing import Any, Dict, List, Optional

from conftest import ROOT

LANGSERVER = ROOT / ".tools" / "pyright" / "node_modules" / ".bin" / "pyright-langserver"
TIMEOUT = 120.0  # seconds for the whole exchange (the first analysis reads Ray's sources)


class _Connection:
    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.next_id = 0

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> Dict[str, Any]:
        stream = self.process.stdout
        assert stream is not None
        length = None
        while True:
            line = stream.readline()
            if not line:
                raise RuntimeError("pyright-langserver closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None, "a message without Content-Length"
        return json.loads(stream.read(length))

    def request(self, method: str, params: Any, deadline: float) -> Any:
        """Sends a request and answers the server's own requests until its reply."""
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        while time.monotonic() < deadline:
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result")
            if "method" in message and "id" in message:  # the server asks something
                self.send({"id": message["id"], "result": _answer(message)})
        raise TimeoutError(f"pyright-langserver did not answer {method}")


def _answer(message: Dict[str, Any]) -> Any:
    """What the client answers the server: no settings (pyright's defaults), and
    acceptance of whatever it registers."""
    if message["method"] == "workspace/configuration":
        return [None for _ in message["params"]["items"]]
    return None


def completions(work: pathlib.Path, text: str, line: int, column: int,
                env: Optional[Dict[str, str]] = None) -> List[str]:
    """The labels pyright's completion offers at (line, column) of `text`, a file in
    `work` (a folder holding the stubs it imports)."""
    if not LANGSERVER.is_file():
        raise FileNotFoundError(f"{LANGSERVER} is not installed: run bash scripts/setup.sh")
    path = work / "complete_here.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    process = subprocess.Popen([str(LANGSERVER), "--stdio"], cwd=work, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    connection = _Connection(process)
    deadline = time.monotonic() + TIMEOUT
    try:
        connection.request("initialize", {
            "processId": None, "rootUri": work.as_uri(),
            "workspaceFolders": [{"uri": work.as_uri(), "name": work.name}],
            "capabilities": {"textDocument": {"completion": {
                "completionItem": {"documentationFormat": ["plaintext"]}}},
                "workspace": {"configuration": True}},
        }, deadline)
        connection.send({"method": "initialized", "params": {}})
        connection.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}}})
        result = connection.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": column},
        }, deadline)
        connection.request("shutdown", None, deadline)
        connection.send({"method": "exit"})
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    items = result["items"] if isinstance(result, dict) else (result or [])
    return [item["label"] for item in items]
