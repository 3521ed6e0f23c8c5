"""Real receivers on 127.0.0.1 for alert tests: an SMTP server (aiosmtpd) and a JSON webhook.

Each can be switched between working and failing the ways real ones fail:
the SMTP server refusing mail (4xx) or gone, the webhook answering 500 or
never answering.
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.publish.serve import free_port


class MailServer:
    """An SMTP server that records the messages it accepts (with AUTH, without TLS)."""

    def __init__(self, user: str = "", password: str = "", delay: float = 0.0):
        self.user, self.password, self.delay = user, password, delay
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refusing = False  # answer 451 to every message
        self.logins: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((user, password))
        return AuthResult(success=(user, password) == (self.user, self.password))

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusing:
            return "451 4.3.0 Mail server temporarily unavailable, try again later"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        if self.delay:  # the message is in; the acknowledgement is late (the at-least-once window)
            time.sleep(self.delay)
        return "250 OK"

    def start(self) -> MailServer:
        """Listen (again) on the same port."""
        kwargs = {"authenticator": self._authenticate, "auth_require_tls": False} if self.user else {}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, to: str = "team@example.org", user: str = "", password: str = "") -> str:
        """Return an Apprise mailto:// URL that sends to this server without TLS."""
        auth = f"{user}:{password}@" if user else ""
        return f"mailto://{auth}127.0.0.1:{self.port}?mode=insecure&from=govwatch@example.org&to={to}&cto=1"

    def keys(self) -> list[str]:
        """Return the X-Govwatch-Event header of each message received, in order."""
        with self._lock:
            return [m["X-Govwatch-Event"] for m in self.messages]

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Posted:
    """One request the webhook received."""

    path: str
    headers: dict[str, str]
    body: dict


class Webhook:
    """An HTTP server that records JSON POSTs; `mode` is "ok", "error" (500) or "hang"."""

    def __init__(self, delay: float = 0.0, hang: float = 3.0):
        self.posts: list[Posted] = []
        self.mode = "ok"
        self.delay, self.hang = delay, hang
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if hook.mode == "hang":  # never answers in time, and drops the request
                    time.sleep(hook.hang)
                    self.close_connection = True
                    return
                if hook.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                with hook._lock:
                    hook.posts.append(Posted(self.path, dict(self.headers), json.loads(body)))
                if hook.delay:
                    time.sleep(hook.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str = "/hook", auth: str = "") -> str:
        """Return an Apprise json:// URL posting here (short timeouts, for tests)."""
        return f"json://{auth}127.0.0.1:{self.port}{path}?cto=1&rto=1"

    def keys(self) -> list[str]:
        """Return the event key of each post received, in order."""
        with self._lock:
            return [p.body["event"]["key"] for p in self.posts if "event" in p.body]

    def __enter__(self) -> Webhook:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
