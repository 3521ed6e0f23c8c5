"""Talk to one Scrapyd node over its JSON API: status, deploy, schedule, jobs, items.

Every call is a blocking HTTP request bounded by the node's timeout; the
dispatcher (monitor.scrapyd.crawl) runs them in threads. A node that cannot
be reached, answers an HTTP error or ``"status": "error"`` raises `NodeError`
with one readable line naming the node.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from monitor.watchlist.scrapyd import Node, ScrapydSettings

MAX_ITEMS_BYTES = 512 * 1024 * 1024  # one read of a job's items file: bound it


class NodeError(Exception):
    """A Scrapyd node could not do what was asked (down, refusing, or an error answer)."""


@dataclass(frozen=True)
class NodeStatus:
    """What daemonstatus.json says of a node, and the free slots it leaves."""

    running: int
    pending: int
    free: int


class NodeClient:
    """The JSON API of one Scrapyd node."""

    def __init__(self, node: Node, settings: ScrapydSettings):
        self.node = node
        self.url = node.url
        self.settings = settings
        self.project = settings.project

    # ------------------------------------------------------------ the API

    def status(self) -> NodeStatus:
        """Return the node's running and pending jobs and its free slots."""
        answer = self._call("GET", "daemonstatus.json")
        running, pending = int(answer.get("running", 0)), int(answer.get("pending", 0))
        return NodeStatus(running, pending, max(0, self.node.slots - running - pending))

    def versions(self) -> list[str]:
        """Return the versions of the project the node holds (none when it lacks the project)."""
        return list(self._call("GET", "listversions.json", {"project": self.project}).get("versions", []))

    def deploy(self, version: str, egg: bytes) -> None:
        """Upload the project's egg as `version` (addversion.json)."""
        self._call("POST", "addversion.json", {"project": self.project, "version": version}, files={"egg": egg})

    def schedule(self, spider: str, job: str, version: str, args: dict[str, str]) -> str:
        """Schedule a spider run with these arguments; return its job id."""
        fields = {"project": self.project, "spider": spider, "jobid": job, "_version": version} | args
        return str(self._call("POST", "schedule.json", fields)["jobid"])

    def jobs(self) -> dict[str, dict[str, Any]]:
        """Return the project's jobs by id, each with its "state" (pending, running or finished)."""
        answer = self._call("GET", "listjobs.json", {"project": self.project})
        jobs = {}
        for state in ("pending", "running", "finished"):
            for job in answer.get(state, []):
                jobs[job["id"]] = job | {"state": state}
        return jobs

    def cancel(self, job: str) -> None:
        """Stop a job (pending or running)."""
        self._call("POST", "cancel.json", {"project": self.project, "job": job})

    def items(self, path: str, offset: int = 0, *, running: bool = False) -> bytes:
        """Return a job's items file (JSON lines) from byte `offset` on, from the node's items_url.

        A running job's file grows: what it holds so far is returned (nothing when it
        has no new byte, or no file yet). A node that ignores the Range header sends
        the whole file, of which the bytes from `offset` are kept. A finished job
        without a file is a NodeError.
        """
        url = urllib.parse.urljoin(self.url + "/", path.lstrip("/"))
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            data, status = self._exchange("GET", url, None, headers, skip=offset)
        except _Answered as e:
            if e.code == 416 or e.code == 404 and running:  # nothing past `offset`, or no file yet
                return b""
            raise NodeError(e.message) from None
        return data[offset:] if offset and status == 200 else data

    # ------------------------------------------------------------ HTTP

    def _call(self, method: str, endpoint: str, fields: dict[str, str] | None = None,
              files: dict[str, bytes] | None = None) -> dict[str, Any]:  # fmt: skip
        url = f"{self.url}/{endpoint}"
        headers: dict[str, str] = {}
        body = None
        if method == "GET" and fields:
            url += "?" + urllib.parse.urlencode(fields)
        elif files:
            body, headers["Content-Type"] = _multipart(fields or {}, files)
        elif fields:
            body = urllib.parse.urlencode(fields).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        raw = self._request(method, url, body, headers)
        try:
            answer = json.loads(raw)
        except ValueError:
            raise NodeError(f"{self.url}: {endpoint} answered something that is not JSON (is it a Scrapyd node?)")
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message", answer) if isinstance(answer, dict) else answer
            raise NodeError(f"{self.url}: {endpoint} refused: {str(message).strip()[:300]}")
        return answer

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        try:
            return self._exchange(method, url, body, headers)[0]
        except _Answered as e:
            raise NodeError(e.message) from None

    def _exchange(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
                  skip: int = 0) -> tuple[bytes, int]:  # fmt: skip
        """Send a request; return the body (at most MAX_ITEMS_BYTES past `skip`) and the status."""
        if self.settings.username is not None:
            token = f"{self.settings.username}:{self.settings.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                status = response.status
                data = response.read((skip if status == 200 else 0) + MAX_ITEMS_BYTES + 1)
        except urllib.error.HTTPError as e:
            hint = " (check [scrapyd] username and password)" if e.code == 401 else ""
            raise _Answered(e.code, f"{self.url}: {method} {urllib.parse.urlsplit(url).path} answered HTTP {e.code}"
                                    f"{hint}") from None  # fmt: skip
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise NodeError(f"{self.url}: cannot reach the node ({reason})") from None
        if len(data) - (skip if status == 200 else 0) > MAX_ITEMS_BYTES:
            raise NodeError(f"{self.url}: {urllib.parse.urlsplit(url).path} is larger than {MAX_ITEMS_BYTES} bytes")
        return data, status


class _Answered(Exception):
    """An HTTP error status from a node (NodeError for the caller, or an answer the caller expects)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    """Encode form fields and files as multipart/form-data (what addversion.json takes)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, data in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.egg"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n")  # fmt: skip
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
