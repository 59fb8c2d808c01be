"""A small HTTP/1.1 client on plain sockets, light enough to share the machine with the
server under test.

Gunicorn's sync workers close the connection after every response, so each request opens
a TCP connection, sends ``Connection: close`` and reads to the end. Parsing is kept to the
minimum (status line, headers, optional chunked body): http.client's header parser would
cost the client more CPU than the server spends on the bare page.

Only loopback addresses are accepted.
"""

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

TIMEOUT = 10.0  # seconds for connect and for every read


class HTTPError(Exception):
    """A request that did not get the answer the benchmark expected."""


def check_loopback(host):
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"refusing to send load to {host}: only loopback addresses are allowed")


@dataclass
class Response:
    status: int
    headers: list  # [(lower-case name, value)]
    body: bytes
    seconds: float

    def header(self, name, default=None):
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def headers_named(self, name):
        return [value for key, value in self.headers if key == name]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def _dechunk(body):
    out, pos = [], 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";", 1)[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


def request(host, port, method, path, headers=(), body=b"", timeout=TIMEOUT):
    """One request on a fresh connection. Returns a Response; raises OSError on
    connection problems and HTTPError on a reply it cannot read."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines.extend(headers)
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    seconds = time.perf_counter() - start
    raw = b"".join(chunks)
    head, sep, payload = raw.partition(b"\r\n\r\n")
    if not sep:
        raise HTTPError(f"{method} {path}: incomplete response ({len(raw)} bytes)")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(status_line.split(" ", 2)[1])
    except (IndexError, ValueError):
        raise HTTPError(f"{method} {path}: bad status line {status_line!r}") from None
    parsed = []
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed.append((name.strip().lower(), value.strip()))
    response = Response(status, parsed, payload, seconds)
    if response.header("transfer-encoding", "").lower() == "chunked":
        response.body = _dechunk(payload)
    return response


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHOICE_RE = re.compile(r'name="choice" value="(\d+)"')
SPOT_RE = re.compile(r'name="spot" value="(\d+)"')
TURN_RE = re.compile(r'name="turn" value="(\d+)"')
REPLY_RE = re.compile(r'name="reply" value="(\d+)"')
RUN_SIZE_RE = re.compile(r'class="quiz-progress" max="(\d+)"')
LESSON_LINK_RE = re.compile(r'href="/en/lessons/([\w-]+)/"')


# What a TLS proxy in front adds to every request (README: HTTPS=1, NUM_PROXIES=1).
PROXY_HEADERS = ("X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: https")


@dataclass
class Session:
    """A browser without JavaScript: keeps cookies, sends Origin on POSTs like browsers
    do, and remembers the last CSRF form token it saw. With ``proxy``, it speaks to the
    server as the TLS proxy in front would pass its requests on."""

    host: str
    port: int
    cookies: dict = field(default_factory=dict)
    csrf_token: str | None = None
    requests: int = 0  # responses received, for CPU per request
    transport: object = None  # request() unless given (bench/profile_endpoint.py)
    proxy: bool = False

    def __post_init__(self):
        check_loopback(self.host)

    @property
    def origin(self):
        return f"{'https' if self.proxy else 'http'}://{self.host}:{self.port}"

    def _headers(self, extra):
        headers = ["Accept: text/html", "Accept-Language: en", *extra]
        if self.proxy:
            headers.extend(PROXY_HEADERS)
        if self.cookies:
            headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        return headers

    def _remember(self, response):
        for value in response.headers_named("set-cookie"):
            pair, *attributes = value.split(";")
            name, _, cookie = pair.strip().partition("=")
            expired = any(a.strip().lower() == "max-age=0" for a in attributes)
            if expired or cookie in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie
        if b"csrfmiddlewaretoken" in response.body:
            match = CSRF_RE.search(response.text)
            if match:
                self.csrf_token = match.group(1)

    def get(self, path, expect=200, headers=()):
        send = self.transport or request
        response = send(self.host, self.port, "GET", path, self._headers(headers))
        self.requests += 1
        self._remember(response)
        if expect is not None and response.status != expect:
            raise HTTPError(f"GET {path}: {response.status}, expected {expect}")
        return response

    def post(self, path, fields, expect=302, headers=()):
        body = urlencode(fields, doseq=True).encode()
        headers = [
            "Content-Type: application/x-www-form-urlencoded",
            f"Origin: {self.origin}",
            f"Referer: {self.origin}{path}",
            *headers,
        ]
        send = self.transport or request
        response = send(self.host, self.port, "POST", path, self._headers(headers), body)
        self.requests += 1
        self._remember(response)
        if expect is not None and response.status != expect:
            raise HTTPError(f"POST {path}: {response.status}, expected {expect}")
        return response

    def location(self, response):
        """The path a redirect points to, without its fragment."""
        target = response.header("location")
        if not target:
            raise HTTPError(f"redirect without Location ({response.status})")
        parts = urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def answer_fields(rng, text):
    """The form fields of a random answer to the question page ``text``, of any kind: a
    choice, some of the spots (tap the red flags), or a reply at the conversation's turn;
    None without an answer form."""
    choices = CHOICE_RE.findall(text)
    if choices:
        return {"choice": rng.choice(choices)}
    spots = SPOT_RE.findall(text)
    if spots:
        return {"spot": rng.sample(spots, rng.randint(1, len(spots)))}
    turn, replies = TURN_RE.search(text), REPLY_RE.findall(text)
    if turn and replies:
        return {"turn": turn.group(1), "reply": rng.choice(replies)}
    return None
